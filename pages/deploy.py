"""Deploy: package a registry model as a dependency-free Lambda (and a SageMaker tarball),
test it locally in a clean interpreter, deploy it (dry run unless confirmed). UI only."""

import streamlit as st

from ui import deploy_view as view
from ui import model_picker
from ui.common import guarded

st.title("Deploy")
st.caption("The model ships as JSON plus a standard-library evaluator: a zip of a few dozen "
           "KiB instead of the thesis's 700 MB of pandas, scikit-learn and a pickle. The "
           "function answers exactly as the trained model does (within 1e-6).")

reg = view.registry()
models = model_picker.classifiers(reg.list())  # routers deploy from Route by objective
if models.empty:
    view.empty_state(reg)
    st.stop()

model_id = model_picker.choose(models, key="deploy_model", label="Registry version")
loaded = guarded(view.load_model, str(reg.root), model_id)
built = loaded and guarded(view.build, str(reg.root), model_id)
if not built:
    st.stop()

st.header("Artifacts", divider="gray")
view.artifacts(built)
st.header("Local test console", divider="gray")
st.caption("Runs the handler from function.zip in `python -I -S` (no site-packages), as "
           "Lambda would, and compares it with the library model.")
view.console(built, loaded)
st.header("Deploy to AWS Lambda", divider="gray")
view.deploy_form(built, model_id, str(reg.root))
st.header("Deployment history", divider="gray")
view.history_table(str(reg.root))
