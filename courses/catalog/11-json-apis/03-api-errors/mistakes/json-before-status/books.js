async function loadBook(baseUrl, id) {
  let response;
  try {
    response = await fetch(`${baseUrl}/books/${id}`);
  } catch (error) {
    return { ok: false, message: "Could not reach the library server" };
  }
  let book;
  try {
    book = await response.json();
  } catch (error) {
    return { ok: false, message: "The answer was not valid JSON" };
  }
  if (response.status === 404) {
    return { ok: false, message: "No such book" };
  }
  if (!response.ok) {
    return { ok: false, message: `The library server has a problem (${response.status})` };
  }
  return { ok: true, book };
}

module.exports = { loadBook };
