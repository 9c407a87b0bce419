function wait(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function delayedGreeting(name, ms) {
  wait(ms);
  return `Hello, ${name}!`;
}

async function countSlowly(n, ms) {
  const numbers = [];
  for (let i = 1; i <= n; i++) {
    await wait(ms);
    numbers.push(i);
  }
  return numbers;
}

async function main() {
  console.log(await delayedGreeting("Sam", 500));
  console.log(await countSlowly(3, 300));
}

// Run main only when you press Run, not when the tests load this file.
if (require.main === module) {
  main();
}

// This line shares your functions with the tests. Leave it as it is.
module.exports = { wait, delayedGreeting, countSlowly };
