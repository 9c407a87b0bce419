function parseAge(text) {
  const age = Number(text);
  if (!Number.isInteger(age) || age < 0 || age > 150) {
    return null;
  }
  return age;
}

function safeParseAge(text) {
  try {
    return parseAge(text);
  } catch (error) {
    return null;
  }
}

console.log(safeParseAge("42"));
console.log(safeParseAge("old"));

// This line shares your functions with the tests. Leave it as it is.
module.exports = { parseAge, safeParseAge };
