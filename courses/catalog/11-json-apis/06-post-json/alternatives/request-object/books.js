async function addBook(baseUrl, book) {
  const request = new Request(new URL("/books", baseUrl), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(book),
  });
  const response = await fetch(request);
  const answer = JSON.parse(await response.text());
  if (response.ok) {
    return answer;
  } else {
    const problem = new Error(answer.error);
    throw problem;
  }
}

module.exports = { addBook };
