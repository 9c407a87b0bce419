const readList = (text) => {
  let list = [];
  try {
    list = JSON.parse(text);
  } catch (e) {
    list = [];
  }
  return list;
};

function twoDigits(n) {
  return String(n).padStart(2, "0");
}

function loanToJson(loan) {
  const d = loan.due;
  const due = `${d.getUTCFullYear()}-${twoDigits(d.getUTCMonth() + 1)}-${twoDigits(d.getUTCDate())}`;
  let note = null;
  if (loan.note) {
    note = loan.note;
  }
  return JSON.stringify({ note, due, member: loan.member, title: loan.title });
}

function loanFromJson(text) {
  const data = JSON.parse(text);
  return { ...data, due: new Date(data.due) };
}

module.exports = { readList, loanToJson, loanFromJson };
