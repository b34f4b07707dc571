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
pages = max(1, -(-page.total_rows // int(page_size)))
applied = ", ".join(page.filtered_on) or "none (the view has no filterable column)"
st.caption(f"{page.total_rows:,} rows under the filters ({applied}); page {int(page_number)} "
           f"of {pages:,}.")  # fmt: skip
if page.rows.empty:
    frame.nothing_selected("rows")
else:
    st.dataframe(page.rows, hide_index=True, width="stretch")
    st.download_button(
        "Download this page as CSV",
        page.rows.to_csv(index=False),
        file_name=f"{view}-page-{int(page_number)}.csv",
        mime="text/csv",
    )
