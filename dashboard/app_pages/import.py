"""Import: upload an order-lines file, see the detected mapping and a dry run's validation
summary, confirm, see the result, and download the rejected rows as CSV. Writes go through
salesdw.load (via dashboard.queries); the upload is kept in a private temporary file whose
name owes nothing to the uploaded one."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import queries
from salesdw.db.errors import is_permission_error, read_only_login
from salesdw.errors import SalesdwError
from salesdw.load import REASONS, ImportOptions
from salesdw.settings import get_settings

st.title("Import")
st.caption("Load your own order lines (CSV, Excel .xlsx or Parquet, one row per line) into the "
           "warehouse. Nothing is written until you confirm.")  # fmt: skip
limit = get_settings().max_upload_mb
upload = st.file_uploader(f"Order lines file (up to {limit:,} MB)", key="import_file",
                          max_upload_size=limit)  # fmt: skip
mapping_upload = st.file_uploader("Mapping file (optional, YAML)", type=["yml", "yaml"],
                                  key="import_mapping")  # fmt: skip


def _stop(message: str) -> None:
    st.error(message, icon=":material/error:")
    st.stop()


def _saved(data: bytes, suffix: str) -> Path:
    """A private temporary file holding `data` (kept for the session's later runs)."""
    folder = st.session_state.setdefault("import_dir", tempfile.mkdtemp(prefix="salesdw-import-"))
    handle = tempfile.NamedTemporaryFile(dir=folder, suffix=suffix, delete=False)  # noqa: SIM115
    with handle:
        handle.write(data)
    return Path(handle.name)


def _fail(exc: Exception) -> None:
    """Stop with the error's one line, naming the files as the user uploaded them; a
    read-only login is told so (a reader's URL in DATABASE_URL). Anything else is a bug."""
    if is_permission_error(exc):
        exc = read_only_login(exc)
    if not isinstance(exc, SalesdwError):
        raise exc
    message = str(exc).replace(Path(st.session_state["import_path"]).name, upload.name)
    if mapping_upload is not None and st.session_state["import_mapping_path"] is not None:
        message = message.replace(st.session_state["import_mapping_path"].name,
                                  mapping_upload.name)  # fmt: skip
    _stop(message)


def _rejected_download(frame: pd.DataFrame, label: str, key: str) -> None:
    if frame.empty:
        return
    st.download_button(label, frame.to_csv(index=False), file_name="rejected-rows.csv",
                       mime="text/csv", key=key)  # fmt: skip


def _counts(result) -> None:
    left, middle, right = st.columns(3)
    left.metric("Rows read", f"{result.rows_read:,}")
    middle.metric("Accepted", f"{result.accepted:,}")
    right.metric("Rejected", f"{result.rejected_total:,}")
    if result.rejected:
        st.dataframe(
            pd.DataFrame([{"reason": reason, "rows": rows, "meaning": REASONS[reason]}
                          for reason, rows in result.rejected.items()]),
            hide_index=True, width="stretch",
        )  # fmt: skip


if upload is None:
    st.info("Choose a file to see how it maps onto the warehouse.", icon=":material/upload:")
    st.stop()
if upload.size > limit * 1024 * 1024:
    _stop(f"The file is larger than {limit:,} MB (SALESDW_MAX_UPLOAD_MB); import it with "
          "`salesdw import FILE` instead.")  # fmt: skip

key = (upload.name, upload.size, mapping_upload.name if mapping_upload else None)
if st.session_state.get("import_key") != key:
    st.session_state["import_key"] = key
    st.session_state.pop("import_result", None)
    st.session_state.pop("import_preview", None)
    st.session_state["import_path"] = _saved(upload.getvalue(), ".upload")
    st.session_state["import_mapping_path"] = (
        _saved(mapping_upload.getvalue(), ".yml") if mapping_upload else None)  # fmt: skip
options = ImportOptions(mapping_file=st.session_state["import_mapping_path"],
                        file_name=upload.name)  # fmt: skip
path = st.session_state["import_path"]

if "import_preview" not in st.session_state:  # once per file, not at every rerun
    try:
        with st.spinner("Reading the file and checking every row (a dry run)..."):
            st.session_state["import_preview"] = queries.preview_import(path, options)
    except Exception as exc:
        _fail(exc)
plan, preview = st.session_state["import_preview"]

st.subheader("Detected mapping")
st.caption(f"{plan.format.describe()}; dates read as {plan.dates.label} in {plan.timezone}; "
           f"money in {plan.currency}.")  # fmt: skip
st.dataframe(pd.DataFrame(plan.report, columns=["field", "column", "found by", "example"]),
             hide_index=True, width="stretch")  # fmt: skip
for note in [*plan.notes, *preview.notes]:
    st.warning(note, icon=":material/info:")

st.subheader("Validation (dry run)")
_counts(preview)
_rejected_download(preview.rejected_sample, "Download the rejected rows as CSV",
                   "import_preview_rejected")  # fmt: skip

done = st.session_state.get("import_result")
if done is None:
    if st.button(f"Import {preview.accepted:,} rows", type="primary", key="import_confirm",
                 disabled=preview.accepted == 0):  # fmt: skip
        try:
            with st.spinner("Importing and refreshing the views..."):
                st.session_state["import_result"] = queries.run_import(path, options)
        except Exception as exc:
            _fail(exc)
        st.rerun()
else:
    st.subheader("Result")
    st.success(
        f"Imported {done.accepted:,} rows from {done.file_name} (load run "
        f"{done.load_run_id}); the views are refreshed.",
        icon=":material/check:",
    )
    written = {k: v for k, v in done.written.items() if v}
    st.dataframe(pd.DataFrame(list(written.items()), columns=["what", "rows"]),
                 hide_index=True, width="stretch")  # fmt: skip
    if done.first_order_at:
        st.caption(f"Orders from {done.first_order_at:%d %b %Y} to {done.last_order_at:%d %b %Y}.")
    _rejected_download(done.rejected_sample, "Download the rejected rows as CSV",
                       "import_done_rejected")  # fmt: skip
