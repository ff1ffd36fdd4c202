"""The source datasets: where their files land and which columns a file must carry."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Dataset:
    name: str
    key: str  # one current row per key in Silver
    required_columns: tuple[str, ...]

    @property
    def staging_table(self) -> str:
        """The table of its staging model, which keeps the model's name (macros/naming.sql)."""
        return f"stg_shop__{self.name}"


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "products", "product_id", ("product_id", "department_id", "department", "product_name")
        ),
        Dataset(
            "orders",
            "order_id",
            ("order_num", "order_id", "user_id", "order_timestamp", "total_amount", "date"),
        ),
        Dataset(
            "order_items",
            "id",
            (
                "id",
                "order_id",
                "user_id",
                "days_since_prior_order",
                "product_id",
                "add_to_cart_order",
                "reordered",
                "order_timestamp",
                "date",
            ),
        ),
    )
}
