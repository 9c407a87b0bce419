// Write your three console.log lines below this comment.

console.log( "Hello, Slate!" );

console.log( 6 * 7 );

console.log( "I am learning JavaScript" );
