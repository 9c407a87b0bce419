// Add a book to the library by sending it to the server.
// Sends POST {baseUrl}/books with the book as JSON. Gives back the
// saved book the server answers with (it has an id now). When the
// server says no, throws an Error with the server's own words.
async function addBook(baseUrl, book) {
  const response = await fetch(`${baseUrl}/books`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: book,
  });
  const answer = await response.json();
  if (!response.ok) {
    throw new Error(answer.error);
  }
  return answer;
}

module.exports = { addBook };
