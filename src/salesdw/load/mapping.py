"""Which column of the file holds which field: detected from the header's names and spellings
(UCI Online Retail, Shopify, Olist and most shop or ERP exports), from the values when there is
no header, and overridden by a YAML mapping file. The result is reported as a table before
anything loads."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import yaml

from salesdw.load.countries import CountryResolver
from salesdw.load.errors import MappingError
from salesdw.load.formats import normalise_name

__all__ = ["FIELDS", "Field", "Mapping", "MappingFile", "Source", "detect", "read_mapping_file"]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    aliases: tuple[str, ...]


# Aliases are normalised names (lower case, letters and digits only), best match first.
FIELDS: tuple[Field, ...] = (
    Field("order_id", "order or invoice number",
          ("invoiceno", "invoice", "invoicenumber", "invoiceid", "orderid", "ordernumber",
           "orderno", "order", "ordername", "ordercode", "salesorder", "salesorderid",
           "documentno", "receiptid", "receiptno", "transactionid", "name")),
    Field("ordered_at", "order date and time",
          ("invoicedate", "orderdate", "orderdatetime", "orderedat", "orderpurchasetimestamp",
           "purchasedate", "purchasedat", "createdat", "orderplaced", "orderdatetimeutc",
           "transactiondate", "saledate", "salesdate", "date", "datetime", "timestamp",
           "paidat", "processedat", "created", "time")),
    Field("customer_id", "customer id",
          ("customeruniqueid", "customerid", "customerno", "customernumber", "customercode",
           "clientid", "clientno", "userid", "buyerid", "accountid", "memberid", "customer",
           "client")),
    Field("email", "customer e-mail",
          ("email", "customeremail", "emailaddress", "buyeremail", "mail", "billingemail")),
    Field("customer_name", "customer name",
          ("customername", "billingname", "fullname", "buyername", "clientname",
           "shippingname")),
    Field("first_name", "customer first name",
          ("firstname", "givenname", "billingfirstname", "customerfirstname")),
    Field("last_name", "customer last name",
          ("lastname", "surname", "familyname", "billinglastname", "customerlastname")),
    Field("country", "country",
          ("country", "shippingcountry", "countrycode", "countryname", "customercountry",
           "shipcountry", "billingcountry", "deliverycountry", "countryregion", "nation")),
    Field("city", "city",
          ("city", "shippingcity", "customercity", "shipcity", "billingcity", "deliverycity",
           "town")),
    Field("sku", "product code (SKU)",
          ("stockcode", "sku", "productcode", "productid", "itemcode", "itemid", "articleno",
           "articlenumber", "lineitemsku", "variantsku", "partnumber", "productsku", "code",
           "ean", "upc")),
    Field("product_name", "product name",
          ("description", "productname", "product", "itemname", "item", "lineitemname",
           "title", "producttitle", "itemdescription", "productdescription", "article")),
    Field("category", "product category",
          ("category", "productcategory", "productcategoryname", "productcategorynameenglish",
           "categoryname", "producttype", "department", "maincategory", "productline")),
    Field("subcategory", "product subcategory",
          ("subcategory", "productsubcategory", "subcategoryname")),
    Field("brand", "brand", ("brand", "vendor", "manufacturer", "brandname", "make")),
    Field("quantity", "quantity",
          ("quantity", "qty", "lineitemquantity", "quantityordered", "units", "unitssold",
           "orderquantity", "itemsquantity", "nitems", "count", "pieces")),
    Field("unit_price", "unit price",
          ("unitprice", "price", "lineitemprice", "itemprice", "priceeach", "sellingprice",
           "saleprice", "priceperunit", "unitsellingprice", "priceunit")),
    Field("amount", "line amount",
          ("amount", "linetotal", "lineamount", "total", "totalprice", "sales", "revenue",
           "subtotal", "totalamount", "value", "netamount", "grossamount", "spend",
           "transactionamount", "monetary", "ordervalue", "paymentvalue", "sale")),
    Field("unit_cost", "unit cost",
          ("unitcost", "cost", "costprice", "purchaseprice", "costperitem", "cogs")),
    Field("discount", "line discount",
          ("discount", "discountamount", "lineitemdiscount", "linediscount", "discounts",
           "rebate")),
    Field("status", "order status",
          ("status", "orderstatus", "financialstatus", "paymentstatus", "state")),
    Field("cancelled", "cancelled flag",
          ("cancelled", "canceled", "iscancelled", "iscanceled", "cancelledat", "canceledat",
           "cancellation", "cancelledflag")),
    Field("channel", "sales channel",
          ("channel", "saleschannel", "source", "sourcename", "ordersource", "platform",
           "marketplace", "ordersourcename")),
    Field("currency", "currency", ("currency", "currencycode", "curr")),
    Field("returned_quantity", "returned quantity",
          ("returnedquantity", "returnqty", "qtyreturned", "quantityreturned", "returned")),
    Field("refund_amount", "refund", ("refundamount", "refundedamount", "refunded", "refund")),
)  # fmt: skip
FIELD_NAMES = tuple(f.name for f in FIELDS)
LABELS = {f.name: f.label for f in FIELDS}
KNOWN_NAMES = frozenset(alias for f in FIELDS for alias in f.aliases)

#: An alias that only counts when the values look right ('Name' is Shopify's order number).
_WEAK_ALIASES = {("order_id", "name"): re.compile(r"^#?[A-Z0-9-]*\d"),
                 ("status", "state"): re.compile(r"^[A-Za-z _-]{3,}$")}  # fmt: skip
_MAPPING_KEYS = {"columns", "date_format", "decimal", "header", "delimiter", "encoding",
                 "country_aliases", "cancellation_prefix"}  # fmt: skip


@dataclass(frozen=True)
class Source:
    """Where a field comes from: a column of the file, or one value for every row."""

    column: str | None = None
    value: str | None = None
    how: str = "header"  # header, content, mapping file


@dataclass
class MappingFile:
    """What a YAML mapping file says."""

    columns: dict[str, Source | None] = field(default_factory=dict)
    date_format: str | None = None
    decimal: str | None = None
    header: bool | None = None
    delimiter: str | None = None
    encoding: str | None = None
    country_aliases: dict[str, str] = field(default_factory=dict)
    cancellation_prefix: str | None = None


@dataclass
class Mapping:
    """The fields found, plus reading options; `notes` are said under the mapping table."""

    sources: dict[str, Source]
    date_format: str | None = None
    decimal: str | None = None
    cancellation_prefix: str = "C"
    notes: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.sources

    def columns_used(self) -> list[str]:
        return [s.column for s in self.sources.values() if s.column is not None]

    def report(self, sample: pa.Table) -> list[tuple[str, str, str, str]]:
        """(field, column or value, how it was found, an example) per field, in field order;
        fields the file lacks say what happens instead."""
        rows = []
        for name in FIELD_NAMES:
            source = self.sources.get(name)
            if source is None:
                default = _DEFAULTS.get(name)
                if default:
                    rows.append((name, "-", "not in the file", default))
                continue
            if source.value is not None:
                rows.append((name, f"= {source.value}", source.how, source.value))
                continue
            example = ""
            if source.column in sample.column_names:
                values = [v for v in sample.column(source.column).to_pylist()[:200]
                          if v not in (None, "")]  # fmt: skip
                example = str(values[0])[:40] if values else ""
            rows.append((name, source.column or "", source.how, example))
        return rows


_DEFAULTS = {
    "order_id": "one order per customer and day",
    "quantity": "1 per line",
    "unit_price": "line amount / quantity",
    "sku": "product name, else one 'unspecified' product",
    "status": "completed (returns: negative quantities, 'C' invoices)",
    "channel": "web",
    "country": "none",
}


def read_mapping_file(path: Path) -> MappingFile:
    """Parse and check a YAML mapping file; every mistake is one line saying where."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MappingError(f"no mapping file at {path}; check the --mapping path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"cannot read the mapping file {path.name}: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise MappingError(
            f"the mapping file {path.name} is not valid YAML{where}: {problem}; see the "
            "example in the README"
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise MappingError(
            f"the mapping file {path.name} must be a YAML mapping (keys such as columns:, "
            "date_format:), not a list or a single value"
        )
    unknown = sorted(set(map(str, data)) - _MAPPING_KEYS)
    if unknown:
        raise MappingError(
            f"the mapping file {path.name} has unknown keys {', '.join(unknown)}; allowed: "
            f"{', '.join(sorted(_MAPPING_KEYS))}"
        )
    result = MappingFile()
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        raise MappingError(f"{path.name}: columns: must map field names to column names")
    for key, spec in columns.items():
        name = str(key)
        if name not in FIELD_NAMES:
            raise MappingError(
                f"{path.name}: {name!r} is not a field; fields are {', '.join(FIELD_NAMES)}"
            )
        result.columns[name] = _source(path.name, name, spec)
    for key in ("date_format", "decimal", "delimiter", "encoding", "cancellation_prefix"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise MappingError(f"{path.name}: {key}: must be text, e.g. {key}: ...")
        setattr(result, key, value)
    if result.decimal not in (None, ".", ","):
        raise MappingError(f"{path.name}: decimal: must be '.' or ','")
    if result.delimiter is not None and len(result.delimiter.replace("\\t", "\t")) != 1:
        raise MappingError(f"{path.name}: delimiter: must be one character (or \\t)")
    if result.delimiter is not None:
        result.delimiter = result.delimiter.replace("\\t", "\t")
    if result.encoding is not None:
        import codecs

        try:
            codecs.lookup(result.encoding)
        except LookupError:
            raise MappingError(
                f"{path.name}: encoding {result.encoding!r} is unknown; use e.g. utf-8, latin-1"
            ) from None
    header = data.get("header")
    if header is not None and not isinstance(header, bool):
        raise MappingError(f"{path.name}: header: must be true or false")
    result.header = header
    aliases = data.get("country_aliases") or {}
    if not isinstance(aliases, dict):
        raise MappingError(f"{path.name}: country_aliases: must map values to ISO codes")
    result.country_aliases = {str(k): str(v) for k, v in aliases.items()}
    return result


def _source(file_name: str, name: str, spec: object) -> Source | None:
    if spec is None or spec is False:
        return None  # the field is not used, even if detected
    if isinstance(spec, bool):
        raise MappingError(f"{file_name}: {name}: give a column name, a number or {{value: ...}}")
    if isinstance(spec, int):
        if spec < 1:
            raise MappingError(f"{file_name}: {name}: column numbers start at 1")
        return Source(column=f"column_{spec}", how="mapping file")
    if isinstance(spec, str):
        return Source(column=spec, how="mapping file")
    if isinstance(spec, dict) and set(spec) == {"value"}:
        return Source(value=str(spec["value"]), how="mapping file")
    if isinstance(spec, dict) and set(spec) == {"column"}:
        return _source(file_name, name, spec["column"])
    raise MappingError(
        f"{file_name}: {name}: give a column name, a column number or {{value: ...}}"
    )


def detect(
    columns: list[str],
    sample: pa.Table,
    *,
    has_header: bool,
    countries: CountryResolver,
    override: MappingFile | None = None,
) -> Mapping:
    """The mapping for a file with these columns: names first, values when there is no
    header; a mapping file's fields replace what was detected."""
    sources = _by_name(columns, sample) if has_header else _by_content(columns, sample,
                                                                       countries)  # fmt: skip
    mapping = Mapping(sources)
    if not has_header:
        mapping.notes.append(
            "The file has no header: columns were guessed from their values. Check the table, "
            "or name them in a mapping file (--mapping)."
        )
    if override is not None:
        for name, source in override.columns.items():
            if source is None:
                sources.pop(name, None)
                continue
            if source.column is not None:
                resolved = _find_column(source.column, columns)
                if resolved is None:
                    numbered = re.fullmatch(r"column_(\d+)", source.column)
                    if numbered:
                        raise MappingError(
                            f"the mapping file gives column {numbered.group(1)} for {name}, but "
                            f"the file has {len(columns)} columns"
                        )
                    raise MappingError(
                        f"the mapping file names column {source.column!r} for {name}, but the "
                        f"file's columns are {', '.join(columns)}"
                    )
                for other, used in list(sources.items()):
                    if used.column == resolved and other != name and used.how != "mapping file":
                        del sources[other]
                source = Source(column=resolved, how="mapping file")
            sources[name] = source
        mapping.date_format = override.date_format
        mapping.decimal = override.decimal
        if override.cancellation_prefix is not None:
            mapping.cancellation_prefix = override.cancellation_prefix
    _require(mapping, columns)
    return mapping


def _find_column(wanted: str, columns: list[str]) -> str | None:
    """A column by name (compared loosely), or by number (column_3, from a number in the
    mapping file) whether or not the file has a header."""
    if wanted in columns:
        return wanted
    numbered = re.fullmatch(r"column_(\d+)", wanted)
    if numbered and 1 <= int(numbered.group(1)) <= len(columns):
        return columns[int(numbered.group(1)) - 1]
    folded = {normalise_name(c): c for c in columns}
    return folded.get(normalise_name(wanted))


def _require(mapping: Mapping, columns: list[str]) -> None:
    shown = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
    missing = []
    if not (mapping.has("customer_id") or mapping.has("email")):
        missing.append("customer id or e-mail (customer_id)")
    if not mapping.has("ordered_at"):
        missing.append("order date (ordered_at)")
    if not (mapping.has("unit_price") or mapping.has("amount")):
        missing.append("unit price or line amount (unit_price, amount)")
    if missing:
        raise MappingError(
            f"no column found for the {' and the '.join(missing)}; the file's columns are "
            f"{shown}. Name them in a mapping file (--mapping), e.g. columns: {{ordered_at: "
            f"<column>}}"
        )


def _values(sample: pa.Table, column: str, limit: int = 500) -> list[str]:
    array = sample.column(column).cast(pa.string())
    return [v.strip() for v in array.to_pylist()[:limit] if v is not None and v.strip()]


def _by_name(columns: list[str], sample: pa.Table) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    used: set[str] = set()
    normalised = [(normalise_name(c), c) for c in columns]
    for spec in FIELDS:
        for alias in spec.aliases:
            match = next((c for n, c in normalised if n == alias and c not in used), None)
            if match is None:
                continue
            check = _WEAK_ALIASES.get((spec.name, alias))
            if check is not None:
                values = _values(sample, match, 50)
                if not values or sum(bool(check.match(v)) for v in values) < 0.9 * len(values):
                    continue
            sources[spec.name] = Source(column=match, how="header")
            used.add(match)
            break
    return sources


_INTEGER = re.compile(r"^[-+]?\d+(\.0+)?$")
_DECIMAL = re.compile(r"^[-+]?\d{1,3}([.,' ]?\d{3})*[.,]\d{1,4}$|^[-+]?\d*[.,]\d+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATEISH = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?.*)?$")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]*$")


def _share(values: list[str], pattern: re.Pattern[str]) -> float:
    return sum(bool(pattern.match(v)) for v in values) / len(values) if values else 0.0


def _by_content(
    columns: list[str], sample: pa.Table, countries: CountryResolver
) -> dict[str, Source]:
    """Guess each column's field from its values: dates, e-mails, countries, prices (decimals),
    quantities (small integers), names (text with spaces) and ids; among the ids, the product
    code changes most from line to line, the order number has the most distinct values."""
    sources: dict[str, Source] = {}
    left = list(columns)

    def take(name: str, column: str) -> None:
        sources[name] = Source(column=column, how="content")
        left.remove(column)

    stats = {c: _values(sample, c) for c in columns}
    for name, pattern in (("ordered_at", _DATEISH), ("email", _EMAIL)):
        best = max(left, key=lambda c: _share(stats[c], pattern), default=None)
        if best is not None and _share(stats[best], pattern) >= 0.8:
            take(name, best)
    country_share = {
        c: sum(countries.resolve_one(v) is not None for v in stats[c]) / max(len(stats[c]), 1)
        for c in left if not _share(stats[c], _INTEGER)
    }  # fmt: skip
    if country_share:
        best = max(country_share, key=country_share.get)
        if country_share[best] >= 0.8:
            take("country", best)
    decimals = [c for c in left if stats[c] and _share(stats[c], _DECIMAL) >= 0.5
                and _share(stats[c], _DECIMAL) + _share(stats[c], _INTEGER) >= 0.95]  # fmt: skip
    integers = [c for c in left if stats[c] and _share(stats[c], _INTEGER) >= 0.95]
    small = [c for c in integers
             if max(abs(float(v)) for v in stats[c]) < 10_000
             and sorted(abs(float(v)) for v in stats[c])[len(stats[c]) // 2] <= 100]  # fmt: skip
    if small:
        take("quantity", small[0])
    if decimals:
        take("unit_price" if "quantity" in sources else "amount", decimals[0])
        if len(decimals) > 1 and "quantity" in sources:
            take("amount", decimals[1])
    texts = [c for c in left if stats[c] and sum(" " in v for v in stats[c]) >= 0.5 * len(
        stats[c]) and _share(stats[c], _DATEISH) < 0.5]  # fmt: skip
    if texts:
        take("product_name", texts[0])
    ids = [c for c in left if stats[c] and _share(stats[c], _CODE) >= 0.95]
    if len(ids) >= 3 or (len(ids) == 2 and "product_name" in sources):
        changes = {c: _change_rate(stats[c]) for c in ids}
        sku = max(ids, key=lambda c: changes[c])
        take("sku", sku)
        ids.remove(sku)
    if len(ids) >= 2:
        distinct = {c: len(set(stats[c])) for c in ids[:2]}
        order, customer = sorted(ids[:2], key=lambda c: (-distinct[c], columns.index(c)))
        take("order_id", order)
        take("customer_id", customer)
    elif len(ids) == 1:
        take("customer_id", ids[0])
    return sources


def _change_rate(values: list[str]) -> float:
    if len(values) < 2:
        return 0.0
    return sum(a != b for a, b in itertools.pairwise(values)) / (len(values) - 1)
