function addBook(baseUrl, book) {
  const options = {
    method: "post",
    headers: { "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify(book),
  };
  return fetch(baseUrl + "/books", options)
    .then((response) => response.json().then((answer) => {
      if (!response.ok) throw new Error(answer.error);
      return answer;
    }));
}

module.exports = { addBook };
