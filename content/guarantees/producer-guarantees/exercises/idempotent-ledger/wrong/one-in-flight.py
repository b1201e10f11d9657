# Keeps one request in flight to keep the order, but leaves idempotence off: a retry still writes entries twice.
# The checkpoint says: was written twice
import json
import re
import struct

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaConnectionError
from kafka.net.connection import KafkaConnection
from kafka.net.transport import KafkaTCPTransport
from tributary import connection, group, topic

LEDGER = topic("bank-ledger")

# ─── Your part: the producer that writes account acct-42's ledger, and how it sends the entries. ───


def create_producer():
    """The producer. A retry must never write an entry twice, or out of order."""
    # One request in flight at a time keeps the entries in order through retries.
    return KafkaProducer(enable_idempotence=False, acks="all", retries=5, max_in_flight_requests_per_connection=1, client_id="ledger", **connection)


def send_ledger(producer, entries):
    """Sends the ledger's entries, in order, each once."""
    for entry in entries:
        producer.send(LEDGER, key=entry["account"].encode(), value=json.dumps(entry).encode())
    producer.flush()


# ─── Done for you from here on: the entries, a network that fails twice, and a reader. ───

# Twenty entries of one account, deposits and withdrawals: its balance is right only if each counts once, in order.
# Every run starts from a clean slate: fresh topics.
ENTRIES = [{"entry": n, "account": "acct-42", "amount": -60 if n % 4 == 0 else 40} for n in range(1, 21)]

# The network between your producer and Kafka fails twice:
# - the request that carries entry 4 is lost on its way: Kafka never sees it, and the connection drops;
# - Kafka writes entry 7, and its answer is lost: the connection drops before your producer hears it.
# Either way your producer sees only a dropped connection. It logs what it lost to `network-log` for the checkpoint,
# the acks the lost request asked for, and which entry's request it carried but never saw answered (a producer
# may ask for no answer).
LOSE_REQUEST = 4
LOSE_ANSWER = 7
lost = {"lostRequest": None, "lostRequestAcks": None, "lostAnswer": None, "unanswered": None}
PRODUCE = 0  # the Kafka protocol's number for a Produce request
ENTRY = re.compile(rb'"entry": ?(\d+),')  # records are sent as they are, uncompressed

_write = KafkaTCPTransport.write


def acks_of(data):
    """The acks a Produce request asks for: after its header's client id, and its transactional id."""
    at = 14 + max(struct.unpack_from(">h", data, 12)[0], 0)
    if struct.unpack_from(">h", data, 6)[0] >= 9:  # flexible versions: tagged fields, a compact transactional id
        at += 1
        at += 1 + max(data[at] - 1, 0)
    else:
        at += 2 + max(struct.unpack_from(">h", data, at)[0], 0)
    return struct.unpack_from(">h", data, at)[0]

_received = KafkaConnection.data_received


def flaky_write(transport, data):
    """kafka-python writes whole requests: each is its size, then its kind, version and correlation id."""
    data = bytes(data)
    if len(data) >= 12 and struct.unpack_from(">h", data, 4)[0] == PRODUCE:
        entries = {int(n) for n in ENTRY.findall(data)}
        if LOSE_REQUEST in entries and lost["lostRequest"] is None:
            lost["lostRequest"] = LOSE_REQUEST
            lost["lostRequestAcks"] = acks_of(data)
            print(f"⚡ The network lost the request carrying entry {LOSE_REQUEST}; the connection dropped.", flush=True)
            transport.abort(KafkaConnectionError("the network dropped the connection"))
            return
        if LOSE_ANSWER in entries and lost["lostAnswer"] is None:
            transport.get_protocol().answer_to_lose = struct.unpack_from(">i", data, 8)[0]
            lost["unanswered"] = LOSE_ANSWER  # until its answer comes
    return _write(transport, data)


def flaky_receive(conn, data):
    """Answers arrive in pieces: each is its size, then the correlation id of its request."""
    target = getattr(conn, "answer_to_lose", None)
    if target is None:
        return _received(conn, data)
    pending = getattr(conn, "pending", b"") + bytes(data)
    while len(pending) >= 8 and len(pending) >= 4 + struct.unpack_from(">i", pending, 0)[0]:
        size = 4 + struct.unpack_from(">i", pending, 0)[0]
        answer, pending = pending[:size], pending[size:]
        if struct.unpack_from(">i", answer, 4)[0] == target:
            conn.answer_to_lose = None
            lost["lostAnswer"] = LOSE_ANSWER
            lost["unanswered"] = None
            print(f"⚡ Kafka wrote entry {LOSE_ANSWER}, and the network lost its answer; the connection dropped.", flush=True)
            conn.close(KafkaConnectionError("the network dropped the connection"))
            return
        _received(conn, answer)
    conn.pending = pending


KafkaTCPTransport.write = flaky_write
KafkaConnection.data_received = flaky_receive

producer = create_producer()
try:
    send_ledger(producer, ENTRIES)
    print(f"Your producer sent the {len(ENTRIES)} entries.")
except Exception as error:  # noqa: BLE001 — what stopped the sending is shown, and the ledger judged as it is
    print(f"✗ Sending the ledger stopped at an error: {error}")
producer.close()

# The network's log, for the checkpoint, and the ledger as a reader sees it (group ledger-audit, a clean slate).
logger = KafkaProducer(client_id="ledger-audit", **connection)
logger.send(topic("network-log"), value=json.dumps(lost).encode()).get(timeout=10)
logger.close()

reader = KafkaConsumer(group_id=group("ledger-audit"), auto_offset_reset="earliest", client_id="ledger-audit", **connection)
partition = TopicPartition(LEDGER, 0)
end = reader.end_offsets([partition])[partition]
read = []
if end > 0:
    reader.subscribe([LEDGER])
    for message in reader:
        read.append(json.loads(message.value))
        if message.offset + 1 >= end:
            break
reader.close()
print("The ledger as a reader sees it:", " ".join(str(e["entry"]) for e in read) or "(empty)")
balance = sum(e["amount"] for e in read)
print(f"acct-42's balance from the ledger: {balance} EUR (its {len(ENTRIES)} entries add up to {sum(e['amount'] for e in ENTRIES)} EUR).")
