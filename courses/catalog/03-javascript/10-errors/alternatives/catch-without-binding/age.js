function parseAge(text) {
  const age = Number(text);
  if (!Number.isInteger(age) || age < 0 || age > 150) {
    throw new RangeError("Age must be a whole number from 0 to 150");
  }
  return age;
}

function safeParseAge(text) {
  try {
    return parseAge(text);
  } catch {
    return null;
  }
}

console.log(safeParseAge("42"));
console.log(safeParseAge("old"));

// This line shares your functions with the tests. Leave it as it is.
module.exports = { parseAge, safeParseAge };
