// The model for a small library. It keeps the books and the rules.
// It never prints: it returns values and throws errors.

function createLibrary() {
  // Keep the books and the next id here.

  return {
    addBook(title, author) {},
    lend(id) {},
    giveBack(id) {},
    all() {
      return [];
    },
    available() {
      return [];
    },
  };
}

// Try it out: press Run.
if (require.main === module) {
  const library = createLibrary();
  library.addBook("Small Island", "Andrea Levy");
  library.addBook("Matilda", "Roald Dahl");
  library.lend(2);
  console.log(library.available());
}

module.exports = { createLibrary };
