function greet(name) {
  return "Hello, " + name + "!";
}

function double(n) {
  return n * 2;
}

// Try your functions: press Run to see what they give back.
console.log(greet("Sam"));
console.log(double(4));
for (const who of ["Sam", "Ada", "Jo"]) {
  console.log(greet(who));
}

// This line shares your functions with the tests. Leave it as it is.
module.exports = { greet, double };
