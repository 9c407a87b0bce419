async function loadBook(baseUrl, id) {
  try {
    const response = await fetch(`${baseUrl}/books/${id}`);
    if (response.status === 404) {
      return { ok: false, message: "No such book" };
    } else if (!response.ok) {
      return { ok: false, message: `The library server has a problem (${response.status})` };
    }
    const text = await response.text();
    try {
      return { ok: true, book: JSON.parse(text) };
    } catch (error) {
      return { ok: false, message: "The answer was not valid JSON" };
    }
  } catch (error) {
    return { ok: false, message: "Could not reach the library server" };
  }
}

module.exports = { loadBook };
