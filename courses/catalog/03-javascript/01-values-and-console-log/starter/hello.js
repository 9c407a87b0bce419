// Write your three console.log lines below this comment.
// Lines that start with // are comments: the computer skips them.
