const greet = function (name) {
  const words = 'Hello, ' + name + '!';
  return words;
};

const double = function (n) {
  return n + n;
};

console.log(greet('Ada'));
console.log(double(21));

// This line shares your functions with the tests. Leave it as it is.
module.exports = { greet: greet, double: double };
