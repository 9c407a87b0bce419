function wait(ms) {
  // Return a new Promise that calls resolve after ms milliseconds.
}

async function delayedGreeting(name, ms) {
  // await wait(ms), then return `Hello, ${name}!`
}

async function countSlowly(n, ms) {
  // Wait ms before adding each number from 1 to n to an array.
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
