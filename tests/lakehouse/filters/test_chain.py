import polars as pl

from lakehouse.filters import DedupIndex, build_default_chain, index_entries, train_models
from lakehouse.filters.chain import Chain
from lakehouse.filters.safety import SafetyStep

GOOD = [
    f"TCP guarantees reliable ordered delivery with sequence numbers and acknowledgements, case {i}."
    for i in range(40)
]
POOR = [f"I do not know the answer to question {i} sorry." for i in range(40)]


def test_default_chain_funnel_reconciles_and_keeps_attributes(make_frame, tmp_path):
    history = make_frame(GOOD + POOR, grades=[9.0] * 40 + [1.0] * 40, prefix="train")
    written = train_models(frame=history, model_dir=tmp_path / "models")
    assert written["quality"] is not None and "perplexity/en" in written
    chain = build_default_chain(model_dir=tmp_path / "models", index_dir=tmp_path / "index")
    assert chain.step_names == (
        "non_answer",
        "language",
        "text_metrics",
        "repetition",
        "correction",
        "perplexity",
        "quality",
        "paragraph_dedup",
        "minhash_dedup",
        "exact_dedup",
        "safety",
        "topic",
    )
    distinct = [
        "TCP guarantees reliable ordered delivery with sequence numbers and acknowledgements.",
        "The sliding window lets the sender transmit several segments before waiting for replies.",
        "Congestion control halves the window when the network drops packets, then grows it again.",
        "A three way handshake sets up the connection before any application data is sent.",
        "Flow control keeps a fast sender from overrunning the buffer of a slow receiver.",
    ]
    texts = [
        *distinct,
        distinct[0],
        "yes",
        "Le chat est sur la table et il dort.",
        "you bastard, this is a fine answer.",
        "buy now " * 10,
    ]
    result = chain.run(make_frame(texts))
    docs = result.documents
    funnel = result.funnel
    assert (
        funnel["docs_in"][0]
        == docs.height
        == int(docs["kept"].sum()) + int(funnel["dropped"].sum())
    )
    assert funnel["docs_out"][-1] == int(docs["kept"].sum())
    reasons = docs["drop_reason"].to_list()
    # fluent, distinct answers survive every rule-based step (model-based steps depend on the
    # tiny templated training corpus here, so they are not asserted)
    assert set(reasons[:5]) <= {None, "perplexity", "quality"}
    assert reasons[5] in {"minhash_dedup", "paragraph_dedup", "exact_dedup"}
    assert reasons[6] in {"language", "text_metrics"} and reasons[9] in {
        "text_metrics",
        "repetition",
    }
    assert reasons[7] == "language" and reasons[8] is not None
    assert docs["safety_pass"].to_list()[8] is False
    # dropped documents keep every attribute
    assert docs.filter(pl.col("drop_reason") == "language")["text_metrics_words"].null_count() == 0
    DedupIndex(tmp_path / "index").record(entries=index_entries(docs))


def test_chain_without_models_passes_unjudged(make_frame):
    texts = [GOOD[0], POOR[0], "Flow control keeps a fast sender from overrunning a slow receiver."]
    result = build_default_chain(model_dir=None, index_dir=None).run(make_frame(texts))
    assert result.documents["kept"].to_list() == [True, True, True]
    assert result.documents["perplexity_judged"].to_list() == [False] * 3


def test_docstring_example():
    frame = pl.DataFrame({"answer_text": ["a fine answer", "you bastard"]})
    assert Chain(steps=(SafetyStep(),)).run(frame).documents["drop_reason"].to_list() == [
        None,
        "safety",
    ]
