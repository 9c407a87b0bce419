class Library {
  constructor() {
    this.books = [];
    this.lastId = 0;
  }

  find(id) {
    for (const book of this.books) {
      if (book.id === id) return book;
    }
    throw new Error("No book with id " + id);
  }

  addBook(title, author) {
    title = title === undefined || title === null ? "" : String(title).trim();
    author = author === undefined || author === null ? "" : String(author).trim();
    if (!title) throw new Error("A book needs a title");
    if (!author) throw new Error("A book needs an author");
    this.lastId++;
    const book = { id: this.lastId, title, author, onLoan: false };
    this.books.push(book);
    return Object.assign({}, book);
  }

  lend(id) {
    const book = this.find(id);
    if (book.onLoan) throw new Error("That book is already on loan");
    book.onLoan = true;
  }

  giveBack(id) {
    const book = this.find(id);
    if (!book.onLoan) throw new Error("That book is not on loan");
    book.onLoan = false;
  }

  all() {
    return this.books.map((b) => Object.assign({}, b));
  }

  available() {
    return this.all().filter((b) => !b.onLoan);
  }
}

function createLibrary() {
  return new Library();
}

module.exports = { createLibrary };
