function readList(text) {
  try {
    return JSON.parse(text);
  } catch (error) {
    console.log("That was not JSON:", error.message);
  }
  return [];
}

function loanToJson(loan) {
  return JSON.stringify({
    ...loan,
    due: loan.due.toISOString().split("T")[0],
    note: loan.note === undefined ? null : loan.note,
  }, null, 2);
}

function loanFromJson(text) {
  return JSON.parse(text, (key, value) =>
    key === "due" ? new Date(value) : value);
}

module.exports = { readList, loanToJson, loanFromJson };
