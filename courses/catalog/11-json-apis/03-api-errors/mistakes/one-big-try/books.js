async function loadBook(baseUrl, id) {
  try {
    const response = await fetch(`${baseUrl}/books/${id}`);
    if (response.status === 404) {
      return { ok: false, message: "No such book" };
    }
    if (!response.ok) {
      return { ok: false, message: `The library server has a problem (${response.status})` };
    }
    const book = await response.json();
    return { ok: true, book };
  } catch (error) {
    return { ok: false, message: "Could not reach the library server" };
  }
}

module.exports = { loadBook };
