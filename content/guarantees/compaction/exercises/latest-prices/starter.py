from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from tributary import connection, group, topic

PRICES = topic("product-prices")

# ─── Your part: the topic that keeps the latest price of each product, and how an update is sent. ───


def create_prices_topic(admin):
    """Creates `product-prices` so that Kafka keeps, in time, only the latest record of each key."""
    # TODO: make the topic compacted (cleanup.policy compact; this course's Kafka keeps delete beside it).
    admin.create_topics({PRICES: {"num_partitions": 1}}, wait_for_metadata=True)


def send_price(producer, product, price):
    """Sends one product's new price; a price of None means the product was withdrawn."""
    # TODO: key each update by its product, and send a withdrawn product (price None) as a tombstone.
    producer.send(PRICES, value=f"{product} {price or 'withdrawn'}".encode()).get(timeout=10)


# ─── Done for you from here on: the price updates, and a reader that rebuilds the table. ───

# Price updates in the order they happened (EUR). p-3 is withdrawn from sale at the end.
UPDATES = [
    ("p-1", "10.00"),
    ("p-2", "5.00"),
    ("p-3", "7.50"),
    ("p-4", "3.00"),
    ("p-1", "12.00"),
    ("p-4", "3.50"),
    ("p-3", None),
    ("p-4", "4.00"),
]

# Every run starts without the topic `product-prices`: the program creates it.
admin = KafkaAdminClient(client_id="latest-prices", **connection)
create_prices_topic(admin)
admin.close()
producer = KafkaProducer(client_id="latest-prices", **connection)
try:
    for product, price in UPDATES:
        send_price(producer, product, price)
    print(f"Sent {len(UPDATES)} price updates.")
except Exception as error:  # noqa: BLE001 — what stopped the sending is shown, and the topic judged as it is
    print(f"✗ Sending the updates stopped at an error: {error}")
producer.close()

# A reader that rebuilds the table from the beginning, as a new service would: the latest price per product,
# a tombstone removing its product.
reader = KafkaConsumer(group_id=group("price-table"), auto_offset_reset="earliest", client_id="latest-prices", **connection)
partition = TopicPartition(PRICES, 0)
end = reader.end_offsets([partition])[partition]
table = {}
if end > 0:
    reader.subscribe([PRICES])
    for message in reader:
        product = message.key.decode() if message.key is not None else "(no key)"
        if message.value is None:
            table.pop(product, None)
        else:
            table[product] = message.value.decode()
        if message.offset + 1 >= end:
            break
reader.close()
print("The price table rebuilt from the topic:")
for product in sorted(table):
    print(f"  {product}: {table[product]} EUR")
