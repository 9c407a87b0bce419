function makeSlug(title) {
  // lower case, split on spaces, join with "-"
}

function initials(fullName) {
  // first letter of each word, each followed by "."
}

function badge(name, role) {
  // Use a template literal with backticks: `Name: ...`
}

console.log(makeSlug("My First Page"));
console.log(initials("Ada Lovelace"));
console.log(badge("Ada", "teacher"));

// This line shares your functions with the tests. Leave it as it is.
module.exports = { makeSlug, initials, badge };
