"""The course's module for Python programs, imported as `tributary`: where your Kafka is, who you are on it,
and the namespace your topics and groups live in. The TypeScript programs' module gives the same names."""
import os

#: The prefix of every topic and consumer group you may use, such as "l3f9a0c2d71be-". The broker refuses any
#: other name, so learners sharing a server never see each other's data.
namespace = os.environ.get("KAFKA_NAMESPACE", "")

#: The brokers' addresses, for bootstrap_servers.
brokers = os.environ.get("KAFKA_BROKERS", "127.0.0.1:9092").split(",")

_username = os.environ.get("KAFKA_USERNAME")
_password = os.environ.get("KAFKA_PASSWORD")

#: Brokers and credentials for kafka-python: KafkaProducer(**connection), KafkaConsumer(..., **connection).
connection = {"bootstrap_servers": brokers}
if _username and _password:
    connection.update(
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="SCRAM-SHA-256",
        sasl_plain_username=_username,
        sasl_plain_password=_password,
    )


def topic(name):
    """Your topic called `name`: the name inside your namespace."""
    return namespace + name


def group(name):
    """Your consumer group called `name`: the name inside your namespace."""
    return namespace + name
