async function addBook(baseUrl, book) {
  const headers = new Headers();
  headers.set("Content-Type", "application/json");
  const response = await fetch(`${baseUrl}/books`, {
    body: JSON.stringify({ title: book.title, author: book.author, year: book.year }),
    headers,
    method: "POST",
  });
  if (response.status === 201) {
    return response.json();
  }
  const { error } = await response.json();
  throw new Error(error);
}

module.exports = { addBook };
