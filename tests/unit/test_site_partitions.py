"""spark.predict_batches: a partition's pages (whole sites, in input order) grouped as `predict` labels them."""

from newsseg.text.documents import Document
from newsseg.serving.spark import predict_batches


def page(position: int, site: str) -> tuple[int, Document]:
    return position, Document(f"p{position}", "text", {"domain": site})


def ids(groups) -> list[list[str]]:
    return [[doc.id for doc in group] for group in groups]


def test_batches_of_one_site_stay_apart_and_others_join_up_to_a_batch():
    # Batches of 4: positions 0-3, 4-7, 8-11, ... Site a is in batches 0 and 1: those are labelled apart, as
    # predict's memory sees batch 0 before batch 1; so are c's. b's batch joins the one before; d's and e's
    # batch would make 5 documents with c's.
    rows = [page(0, "a"), page(2, "a"), page(5, "a"), page(9, "b"), page(13, "c"), page(14, "c"), page(15, "c"),
            page(30, "c"), page(40, "d"), page(41, "e")]
    assert ids(predict_batches(rows, 4)) == [["p0", "p2"], ["p5", "p9"], ["p13", "p14", "p15"], ["p30", "p40", "p41"]]
    rows[-3] = page(30, "f")
    assert ids(predict_batches(rows, 4)) == [["p0", "p2"], ["p5", "p9"], ["p13", "p14", "p15", "p30"], ["p40", "p41"]]


def test_a_batch_is_never_split():
    rows = [page(position, f"s{position}") for position in range(10)]
    assert ids(predict_batches(rows, 5)) == [[f"p{i}" for i in range(5)], [f"p{i}" for i in range(5, 10)]]
    assert ids(predict_batches([], 5)) == []
