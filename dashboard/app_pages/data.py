"""Data: any analytics view as a table, with the filters applied to the columns it has, a page
at a time, and the page as CSV."""

import streamlit as st

from dashboard import frame

frame.header("Data")
filters = frame.filters()
views = frame.call("views")
names = list(views["view_name"])
view = st.selectbox("View", names, index=names.index("sales_daily") if "sales_daily" in names
                    else 0, key="data_view")  # fmt: skip
st.caption(views.set_index("view_name").loc[view, "description"])
left, right = st.columns(2)
page_size = left.selectbox("Rows per page", [50, 100, 500, 1000], index=1, key="data_size")
page_number = right.number_input("Page", min_value=1, value=1, step=1, key="data_page")
page = frame.call("view_page", view, filters=filters, page=int(page_number),
                  page_size=int(page_size))  # fmt: skip
applied = ", ".join(page.filtered_on) or "none (the view has no filterable column)"
st.caption(f"{page.total_rows:,} rows under the filters (applied to: {applied}); page "
           f"{page.page:,} of {page.pages:,}.")  # fmt: skip
if page.total_rows == 0:
    frame.nothing_selected("rows")
    st.stop()
if page.is_past_the_end:
    st.info(f"Page {page.requested:,} is past the last page ({page.pages:,}); showing page "
            f"{page.page:,}.", icon=":material/last_page:")  # fmt: skip
st.dataframe(page.rows, hide_index=True, width="stretch")
st.download_button(
    "Download this page as CSV",
    page.rows.to_csv(index=False),
    file_name=f"{view}-page-{page.page}.csv",
    mime="text/csv",
)
