"""One active model per browser session: the same model on Explain, Simulate, Deploy and
Report, shown in the sidebar with the data it was trained on.

Why: each page used to pick its own default (the champion, the newest, the most accurate),
so three pages could silently show three models. A model trained on other data than the
loaded dataset is named as such wherever it is used.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import UserError
from core.fingerprint import dataset_fingerprint
from core.registry import Registry
from ui import state

ACTIVE = "active_model"
TREE_MODELS = ("xgb", "lgbm", "rf")


def registry() -> Registry:
    """The session's registry (the page's folder, else $ROUTING_LAB_MODELS or models/)."""
    return Registry(state.get(state.REGISTRY_DIR))


def classifiers(models: pd.DataFrame) -> pd.DataFrame:
    """The classifier versions of a listing: objective routers (model type "router", the
    Route by objective page) have no P(Lambda) to explain or to route the preset by."""
    if "model_type" not in models.columns:
        return models
    return models[models["model_type"] != "router"].reset_index(drop=True)


def labels(models: pd.DataFrame) -> dict[str, str]:
    """model id -> 'id (type · aliases · acc 0.812)'."""
    out = {}
    for row in models.itertuples(index=False):
        bits = [str(row.model_type)]
        if row.aliases:
            bits.append(str(row.aliases))
        if pd.notna(row.accuracy):
            bits.append(f"acc {row.accuracy:.3f}")
        out[row.model_id] = f"{row.model_id} ({' · '.join(bits)})"
    return out


def _loaded_fingerprint() -> str | None:
    frame = state.get(state.DATASET)
    if frame is None:
        return None
    cached = st.session_state.get("_fingerprint")
    if cached and cached[0] == id(frame):
        return cached[1]
    value = dataset_fingerprint(frame)
    st.session_state["_fingerprint"] = (id(frame), value)
    return value


def training_data(model_id: str) -> dict:
    """What the sidebar and warnings say about the model's training data."""
    try:
        meta = registry().metadata(model_id)
    except (UserError, OSError, KeyError):
        return {"known": False}
    extra = meta.get("extra") or {}
    stored = extra.get("dataset_fingerprint")
    loaded = _loaded_fingerprint()
    return {"known": True, "rows": (meta.get("training_data") or {}).get("rows"),
            "type": meta.get("model_type"),
            "same_data": None if stored is None or loaded is None else stored == loaded}


def any_trained_on_loaded(models: pd.DataFrame) -> bool:
    """Whether some listed version was trained on the loaded dataset (True without a dataset
    or when the registry does not record it: nothing to warn about then)."""
    if _loaded_fingerprint() is None:
        return True
    known = [training_data(m).get("same_data") for m in models["model_id"]]
    return any(k is not False for k in known) if known else True


def default_index(models: pd.DataFrame) -> int:
    """The active model; else one trained on the loaded data (champion first, then the most
    accurate); else the champion; else the most accurate non-baseline version."""
    ids = models["model_id"].tolist()
    active = state.get(ACTIVE)
    if active in ids:
        return ids.index(active)
    champion = models["aliases"].fillna("").str.contains("champion").to_numpy()
    accuracy = models["accuracy"].where(models["model_type"] != "baseline").fillna(-1.0)
    tree = models["model_type"].isin(TREE_MODELS).to_numpy()
    # champion first, then the most accurate; on a tie a tree model (exact SHAP, small zip)
    order = sorted(range(len(ids)), key=lambda i: (not champion[i],
                                                   -round(float(accuracy.iloc[i]), 4),
                                                   not tree[i]))
    if _loaded_fingerprint() is not None:
        for i in order:
            if training_data(ids[i]).get("same_data"):
                return i
    return order[0] if order else 0


def choose(models: pd.DataFrame, *, key: str, label: str = "Model",
           help: str | None = None, container=st) -> str:
    """A model selectbox that opens on the session's active model and makes a new choice
    the active one for every page; warns when the model was trained on other data."""
    options = labels(models)
    ids = list(options)
    index = default_index(models)
    if st.session_state.get(key) not in ids:  # a stale widget value: follow the active model
        st.session_state.pop(key, None)
    chosen = container.selectbox(label, ids, index=index, format_func=options.get, key=key,
                                 on_change=lambda: state.put(ACTIVE, st.session_state[key]),
                                 help=help or "The session's active model: choosing one here "
                                              "makes it active on every page.")
    state.put(ACTIVE, chosen)
    info = training_data(chosen)
    if info.get("same_data") is False:
        container.warning(f"{chosen} was trained on other data ({info.get('rows') or '?'} "
                          "rows) than the loaded dataset: its results here are on data it "
                          "has not seen. Train on this data (Train & compare) to compare "
                          "like with like.", icon=":material/warning:")
    return chosen


def sidebar(slot=None) -> None:
    """The active model in the sidebar of every page. The entry script draws it into one
    `slot` before the page runs (so it shows even when a page stops early) and again after
    (so a model the page just made active is named in the same run)."""
    active = state.get(ACTIVE)
    with slot.container() if slot is not None else st.sidebar.container():
        if active is None:
            st.caption("Active model: none yet (train one, or pick one on Explain, Simulate "
                       "or Deploy).")
            return
        info = training_data(active)
        if not info.get("known"):
            st.caption(f"Active model {active} is no longer in the registry.")
            return
        data = {True: "the loaded data", False: "other data than the loaded one",
                None: "data not recorded"}[info.get("same_data")]
        st.caption(f"Active model: **{info.get('type')}** `{active}`, trained on {data}"
                   f" ({f'{rows:,}' if (rows := info.get('rows')) else '?'} labelled rows).")
