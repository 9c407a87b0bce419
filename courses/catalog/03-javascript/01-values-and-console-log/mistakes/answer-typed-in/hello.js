console.log("Hello, Slate!");
console.log(42);
console.log("I am learning JavaScript");
