-- 1. Book 10 goes back from Carl (loan 7) and out to Dan (member 4).

-- 2. A clean-up we change our mind about.

