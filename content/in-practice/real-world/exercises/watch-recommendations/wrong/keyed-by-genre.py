# Keys each recommendation by the genre instead of the member, so a member's recommendations scatter over partitions.
# The checkpoint says: keyed by its member
import json

from kafka import KafkaConsumer, KafkaProducer
from tributary import connection, topic, group

WATCHED = topic("watched")
RECOMMENDATIONS = topic("recommendations")
CATALOG = {
    "drama": ["The Crown", "Ozark", "Narcos", "Mindhunter"],
    "comedy": ["Big Mouth", "Sex Education", "Russian Doll"],
    "scifi": ["Stranger Things", "Dark", "Black Mirror", "Altered Carbon"],
}

# Done for you: four members' viewing, keyed by member so each member's history stays in order. Every run starts
# from a clean slate: the course makes both topics anew, and group recommender has read nothing yet.
producer = KafkaProducer(client_id="watch-recommendations", key_serializer=str.encode, value_serializer=str.encode, **connection)
viewing = [
    ("member-1", "drama", "The Crown"),
    ("member-2", "drama", "Narcos"),
    ("member-3", "comedy", "Sex Education"),
    ("member-4", "scifi", "Stranger Things"),
    ("member-1", "drama", "Ozark"),
    ("member-2", "scifi", "Stranger Things"),
    ("member-3", "comedy", "Big Mouth"),
    ("member-4", "drama", "The Crown"),
    ("member-1", "comedy", "Big Mouth"),
    ("member-2", "scifi", "Dark"),
    ("member-3", "drama", "The Crown"),
    ("member-4", "scifi", "Dark"),
]
events = [{"member": member, "genre": genre, "title": title} for member, genre, title in viewing]
for event in events:
    producer.send(WATCHED, key=event["member"], value=json.dumps(event))
producer.flush()
print(f"generated {len(events)} watch events")

# Your stream processor: remember what each member watched; recommend the next unseen title of the genre.
history = {}
consumer = KafkaConsumer(
    WATCHED, group_id=group("recommender"), auto_offset_reset="earliest", consumer_timeout_ms=10_000, client_id="watch-recommendations", **connection
)
for handled, message in enumerate(consumer, start=1):
    event = json.loads(message.value)
    seen = history.setdefault(event["member"], set())
    seen.add(event["title"])
    next_title = next((title for title in CATALOG.get(event["genre"], []) if title not in seen), None)
    if next_title:
        recommendation = {"member": event["member"], "because": event["title"], "recommend": next_title}
        producer.send(RECOMMENDATIONS, key=event["genre"], value=json.dumps(recommendation))
        print(f"{event['member']} watched {event['title']} → recommend {next_title}")
    if handled == len(events):
        break
consumer.close()
producer.flush()
producer.close()
