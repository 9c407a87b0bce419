// The model for a small library. It keeps the books and the rules.
// It never prints: it returns values and throws errors.

function createLibrary() {
  const books = [];
  let nextId = 1;

  function find(id) {
    const book = books.find((each) => each.id === id);
    if (!book) {
      throw new Error(`No book with id ${id}`);
    }
    return book;
  }

  function required(value, message) {
    const clean = String(value ?? "");
    if (clean === "") {
      throw new Error(message);
    }
    return clean;
  }

  return {
    addBook(title, author) {
      const book = {
        id: nextId,
        title: required(title, "A book needs a title"),
        author: required(author, "A book needs an author"),
        onLoan: false,
      };
      nextId = nextId + 1;
      books.push(book);
      return { ...book };
    },
    lend(id) {
      const book = find(id);
      if (book.onLoan) {
        throw new Error("That book is already on loan");
      }
      book.onLoan = true;
    },
    giveBack(id) {
      const book = find(id);
      if (!book.onLoan) {
        throw new Error("That book is not on loan");
      }
      book.onLoan = false;
    },
    all() {
      return books.map((book) => ({ ...book }));
    },
    available() {
      return books.filter((book) => !book.onLoan).map((book) => ({ ...book }));
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
