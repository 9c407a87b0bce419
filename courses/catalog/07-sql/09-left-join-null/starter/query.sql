-- The members who have never borrowed a book: one column, name.
-- Press Run to see your result.

