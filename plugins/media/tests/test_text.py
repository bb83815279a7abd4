"""String tensors of every rank as HTML, TensorBoard's way (pure functions, no server)."""

from __future__ import annotations

import numpy as np

from tbcore_media.text import make_table, reduce_to_2d, text_array_to_html


def _strings(values: list, shape: tuple[int, ...]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = [v.encode() for v in values]
    return out.reshape(shape)


def test_scalar_is_one_markdown_document() -> None:
    array = _strings(["**bold** and `code`"], ())
    assert text_array_to_html(array, True) == "<p><strong>bold</strong> and <code>code</code></p>"
    assert text_array_to_html(array, False) == "**bold** and `code`"


def test_vector_is_one_column() -> None:
    html = text_array_to_html(_strings(["a", "*b*"], (2,)), True)
    assert html == (
        "<table>\n<tbody>\n"
        "<tr>\n<td><p>a</p></td>\n</tr>\n"
        "<tr>\n<td><p><em>b</em></p></td>\n</tr>\n"
        "</tbody>\n</table>"
    )


def test_matrix_is_laid_out_row_by_row() -> None:
    html = text_array_to_html(_strings(["a", "b", "c", "d", "e", "f"], (2, 3)), False)
    assert html == (
        "<table>\n<tbody>\n"
        "<tr>\n<td>a</td>\n<td>b</td>\n<td>c</td>\n</tr>\n"
        "<tr>\n<td>d</td>\n<td>e</td>\n<td>f</td>\n</tr>\n"
        "</tbody>\n</table>"
    )


def test_markdown_false_escapes_cells() -> None:
    html = text_array_to_html(_strings(["<script>x</script>", "<b>&</b>"], (1, 2)), False)
    assert "<td>&lt;script&gt;x&lt;/script&gt;</td>" in html
    assert "<td>&lt;b&gt;&amp;&lt;/b&gt;</td>" in html


def test_hostile_cells_are_sanitized() -> None:
    html = text_array_to_html(
        _strings(["<img src=x onerror=alert(1)>", "[a](javascript:x)"], (2, 1)), True
    )
    assert "onerror" not in html and "javascript" not in html
    assert html.count("<tr>") == 2


def test_higher_ranks_show_a_warning_and_the_first_slice() -> None:
    cube = _strings([f"v{i}" for i in range(12)], (2, 3, 2))
    html = text_array_to_html(cube, True)
    assert html.startswith(
        "<p><strong>Warning:</strong> This text summary contained data of dimensionality 3"
    )
    assert [f"v{i}" in html for i in range(12)] == [True] * 6 + [False] * 6
    assert html.count("<tr>") == 3


def test_reduce_to_2d() -> None:
    array = np.arange(24).reshape(2, 3, 2, 2)
    assert reduce_to_2d(array).tolist() == [[0, 1], [2, 3]]
    assert reduce_to_2d(np.zeros((0, 2, 5))).shape == (0, 5)


def test_empty_tensors() -> None:
    assert text_array_to_html(_strings([], (0,)), True) == "<table>\n<tbody>\n</tbody>\n</table>"
    assert (
        text_array_to_html(_strings([], (2, 0)), True)
        == "<table>\n<tbody>\n<tr>\n</tr>\n<tr>\n</tr>\n</tbody>\n</table>"
    )
    empty_cube = text_array_to_html(_strings([], (0, 2, 2)), True)
    assert "Warning" in empty_cube and empty_cube.endswith("<table>\n<tbody>\n</tbody>\n</table>")


def test_non_string_tensors_are_shown_as_text() -> None:
    assert text_array_to_html(np.array(3.5), True) == "<p>3.5</p>"
    assert "<td><p>2</p></td>" in text_array_to_html(np.array([1, 2]), True)


def test_make_table() -> None:
    assert (
        make_table(["x"], (1,)) == "<table>\n<tbody>\n<tr>\n<td>x</td>\n</tr>\n</tbody>\n</table>"
    )
