// Press Run: this calls your functions and shows what they give.
const { readList, loanToJson, loanFromJson } = require("./loans.js");

function show(label, work) {
  try {
    console.log(label, work());
  } catch (error) {
    console.log(label, "stopped with an error:", error.message);
  }
}

show('readList(\'["Emma", "Beloved"]\') gives', () =>
  readList('["Emma", "Beloved"]'));
show("readList('{ oops') gives", () => readList("{ oops"));

const loan = {
  title: "Emma",
  member: "Sam",
  due: new Date("2026-12-24"),
};
show("loanToJson(loan) gives", () => loanToJson(loan));
show("loanFromJson(...) gives", () =>
  loanFromJson('{"title":"Emma","member":"Sam","due":"2026-12-24","note":null}'));
