"""td.einsum: values against np.einsum, gradients by finite differences (first and second
order), the closed-form gradients of matmul, diagonals and traces (a letter repeated within an
operand), errors, and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import check_op

import tinygrad_ds as td

R = np.random.default_rng(11)


def r(*shape):
    return R.standard_normal(shape)


CASES = [
    # subscripts, operand shapes
    ("ij,jk->ik", [(2, 3), (3, 4)]),  # matmul
    ("ij,jk", [(2, 3), (3, 4)]),  # implicit output: "ik"
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),  # batched matmul
    ("i,i->", [(3,), (3,)]),  # dot product
    ("i,j->ij", [(2,), (3,)]),  # outer product
    ("ij->ji", [(2, 3)]),  # transpose
    ("ij->", [(2, 3)]),  # sum of everything: a letter of x alone is broadcast back
    ("ij->j", [(2, 3)]),  # column sums
    ("ij,ij->ij", [(2, 3), (2, 3)]),  # elementwise product
    ("i,ij,j->", [(2,), (2, 3), (3,)]),  # bilinear form u^T A v
    ("ijk,jl->il", [(2, 3, 4), (3, 5)]),  # k summed in the first operand alone
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),  # attention scores
    (" ab , bc -> ca ", [(2, 3), (3, 2)]),  # spaces, and an output in another order
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (4, 3, 5)]),  # "...": batch axes, broadcast
    ("...ij,...jk", [(2, 2, 3), (3, 4)]),  # implicit: the "..." axes first
    ("ij,ij->ij", [(1, 3), (2, 3)]),  # a letter of size 1 broadcasts, as in NumPy
    ("bij,bjk->bik", [(1, 2, 3), (4, 3, 2)]),
]
DIAGONALS = [  # a letter repeated within one operand: its diagonal, taken first
    ("ii->", [(3, 3)]),  # trace
    ("ii", [(3, 3)]),  # implicit: i is used twice, so summed: the trace again
    ("ii->i", [(3, 3)]),  # the diagonal
    ("bii->bi", [(2, 3, 3)]),  # a batch of diagonals
    ("bii->b", [(2, 3, 3)]),  # a batch of traces
    ("iij->j", [(3, 3, 2)]),
    ("jii", [(2, 3, 3)]),  # implicit: "j"
    ("ijj,j->i", [(2, 3, 3), (3,)]),
    ("ii,ij->j", [(3, 3), (3, 4)]),  # the diagonal shared with another operand
    ("ii,i->i", [(3, 3), (1,)]),  # ... which may broadcast
    ("iii->i", [(3, 3, 3)]),  # three times
    ("ijij->ij", [(2, 3, 2, 3)]),  # two letters repeated
    ("...ii->...i", [(2, 3, 3)]),
    ("...ii", [(2, 4, 3, 3)]),  # implicit: the "..." axes, each trace
    ("i...i->...", [(3, 2, 3)]),
]
SUMMED_ELLIPSIS = [  # without "..." in the output its axes are summed, as PyTorch does
    ("...i->i", [(2, 3, 4)], lambda a: a.sum(axis=(0, 1))),
    ("i...->...", [(3, 2)], lambda a: a.sum(axis=0)),
]


@pytest.mark.parametrize(
    "spec, shapes", CASES + DIAGONALS, ids=[c[0].replace(" ", "") for c in CASES + DIAGONALS]
)
def test_values_and_gradients(spec, shapes):
    check_op(lambda *xs: td.einsum(spec, *xs), lambda *a: np.einsum(spec.replace(" ", ""), *a),
             [r(*s) for s in shapes])  # fmt: skip


@pytest.mark.parametrize("spec, shapes, reference", SUMMED_ELLIPSIS, ids=lambda v: str(v))
def test_an_output_without_the_ellipsis_sums_its_axes(spec, shapes, reference):
    check_op(lambda *xs: td.einsum(spec, *xs), reference, [r(*s) for s in shapes])


@pytest.mark.parametrize(
    "spec, shapes", CASES[:4] + CASES[9:11] + DIAGONALS[2:4] + DIAGONALS[7:9], ids=lambda v: str(v)
)
def test_second_derivatives(spec, shapes):
    xs = [td.Tensor(r(*s), requires_grad=True) for s in shapes]

    def first(*ts):  # sum of the gradients of sum(sin(einsum)), recorded
        out = td.einsum(spec, *ts).sin().sum()
        return td.stack([g.sum() for g in td.grad(out, ts, create_graph=True)]).sum()

    assert td.gradcheck(first, xs)


def test_matmul_gradients_are_the_closed_forms():
    a, b = td.Tensor(r(2, 3), requires_grad=True), td.Tensor(r(3, 4), requires_grad=True)
    g = r(2, 4)
    td.einsum("ij,jk->ik", a, b).backward(g)
    np.testing.assert_allclose(a.grad.data, g @ b.data.T, rtol=1e-12)
    np.testing.assert_allclose(b.grad.data, a.data.T @ g, rtol=1e-12)


def test_operands_as_a_list_float32_and_int_promotion():
    a = td.Tensor(r(2, 3).astype(np.float32))
    assert td.einsum("ij,jk->ik", [a, td.Tensor(r(3, 2).astype(np.float32))]).dtype == np.float32
    mixed = td.einsum("ij,j->i", a, td.Tensor(np.array([1, 2, 3])))
    assert mixed.dtype == np.float32
    np.testing.assert_allclose(mixed.data, a.data @ [1, 2, 3], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "spec, shapes, error, message",
    [
        ("ij,jk->ik", [(2, 3), (4, 2)], ValueError, r"index 'j' has sizes 3 and 4"),
        ("ij,jk->ik", [(2, 3)], ValueError, r"names 2 operands, but 1 were given"),
        ("ij->i", [(2, 3, 4)], ValueError, r"operand 0 has shape \(2, 3, 4\) \(3 axes\)"),
        (
            "ii->i",
            [(2, 3)],
            ValueError,
            r"operand 0 repeats the index 'i' \('ii'\) on axes of "
            r"different sizes \(shape \(2, 3\)\); a diagonal needs equal sizes",
        ),
        ("bii", [(2, 3, 1)], ValueError, r"operand 0 repeats the index 'i'"),  # no broadcast
        ("ii,i", [(3, 3), (2,)], ValueError, r"index 'i' has sizes 3 and 2"),
        ("...ij->ij", [(3,)], ValueError, r"operand 0 has shape \(3,\) \(1 axes\), but '...ij'"),
        ("i,j->ij", [(2,), (2, 2)], ValueError, r"operand 1 has shape \(2, 2\)"),
        ("ij->ik", [(2, 3)], ValueError, r"names an index no operand has: 'k'"),
        ("ij->ii", [(2, 3)], ValueError, r"the output 'ii' repeats 'i'"),
        ("i1,j->ij", [(2,), (3,)], ValueError, r"may hold only letters"),
        ("i....,j->ij", [(2,), (3,)], ValueError, r"may hold only letters, one '...'"),
        (3, [(2,)], TypeError, r"subscripts must be a string, got int"),
    ],
)
def test_errors_name_einsum_and_the_fault(spec, shapes, error, message):
    with pytest.raises(error, match="einsum: .*" + message):
        td.einsum(spec, *[td.Tensor(r(*s)) for s in shapes])
    with pytest.raises(ValueError, match="einsum: give at least one operand"):
        td.einsum("i->i")


def test_against_pytorch():
    torch = pytest.importorskip("torch")
    for spec, shapes in CASES + DIAGONALS + [case[:2] for case in SUMMED_ELLIPSIS]:
        arrays = [r(*s) for s in shapes]
        ours = [td.Tensor(a, requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        out, ref = td.einsum(spec, *ours), torch.einsum(spec, *theirs)
        np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
        g = r(*ref.shape)
        out.backward(g)
        ref.backward(torch.tensor(g))
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_a_diagonal_gradient_lands_on_the_diagonal():
    a = td.Tensor(r(3, 3), requires_grad=True)
    td.einsum("ii", a).backward()
    np.testing.assert_array_equal(a.grad.data, np.eye(3))
    b = td.Tensor(r(2, 3, 3), requires_grad=True)
    g = r(2, 3)
    td.einsum("bii->bi", b).backward(g)
    np.testing.assert_array_equal(b.grad.data, g[:, :, None] * np.eye(3))
    assert td.einsum("ii->i", td.Tensor(np.eye(2, dtype=np.float32))).dtype == np.float32
    assert td.einsum("ii", np.arange(4).reshape(2, 2)).item() == 3  # integers: int64
