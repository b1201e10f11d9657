from kafka import KafkaAdminClient
from kafka.admin import ConfigResource
from tributary import connection, topic

LEDGER = topic("ledger")
THIRTY_DAYS_MS = str(30 * 24 * 60 * 60 * 1000)

admin = KafkaAdminClient(client_id="durable-topic", **connection)
brokers = admin.describe_cluster()["brokers"]
print(f"The cluster has {len(brokers)} broker(s).")
# One broker may be down and writes with acks="all" still succeed: at most the replicas less one in sync (1 on one broker).
settings = {
    "min.insync.replicas": str(max(1, len(brokers) - 1)),
    "retention.ms": THIRTY_DAYS_MS,
}

if LEDGER not in admin.list_topics():
    admin.create_topics(
        {LEDGER: {"num_partitions": 1, "replication_factor": len(brokers), "configs": settings}},
        wait_for_metadata=True,
    )
    print("Created the ledger.")
else:
    # The topic exists: change its settings in place.
    admin.alter_configs([ConfigResource("topic", LEDGER, configs=settings)])
    print("Updated the ledger's settings.")

for p in admin.describe_topics([LEDGER])[0]["partitions"]:
    print(f"partition {p['partition_index']}: leader broker {p['leader_id']}, replicas {p['replica_nodes']}, in sync {p['isr_nodes']}")
admin.close()
