"""The course's module for Python programs, imported as `tributary`: where your Kafka is, who you are on it,
and the namespace your topics and groups live in. The TypeScript programs' module gives the same names."""
import os
import random
import time

from kafka import errors as _errors
from kafka.admin.client import KafkaAdminClient as _KafkaAdminClient
from kafka.future import Future as _Future
from kafka.net.manager import KafkaConnectionManager as _KafkaConnectionManager

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


def transactional_id(name):
    """Your transactional id called `name`: the name inside your namespace, so a producer that restarts with it fences its predecessor."""
    return namespace + name


# ---------------------------------------------------------------------------------------------------------
# Riding out a broker that died a moment ago. For a few seconds after a broker dies the cluster still lists
# it (until its session times out), and kafka-python sends some requests to it once: a question any broker
# can answer (listing topics, say) and a topic's creation or deletion, sent to the controller the cluster
# names. Both are asked again elsewhere, for as long as the TypeScript kit's retries last, as a production
# client would; every other request keeps kafka-python's own retries.

#: kafka-python's errors for a broker that could not be reached or went away before it answered.
_LOST = (_errors.KafkaConnectionError, _errors.NodeNotReadyError)
_GIVE_UP_AFTER_SECONDS = 25


def _ask_another_broker():
    """A question for any broker that one broker could not answer goes to another listed broker."""
    send_once = _KafkaConnectionManager.send

    def send(self, request, node_id=None, request_timeout_ms=None):
        if node_id is not None:
            return send_once(self, request, node_id, request_timeout_ms)
        answered = _Future()
        tried = set()

        def attempt(node):
            tried.add(node)
            sent = send_once(self, request, node, request_timeout_ms)
            sent.add_callback(answered.success)
            sent.add_errback(failed)

        def failed(error):
            others = [broker.node_id for broker in self.cluster.brokers() if broker.node_id not in tried]
            if isinstance(error, _LOST) and others:
                attempt(random.choice(others))
            else:
                answered.failure(error)

        attempt(self.least_loaded_node())
        return answered

    _KafkaConnectionManager.send = send


def _ask_the_controller_again():
    """A request for the controller that could not reach it is sent again to the controller named next."""
    send_once = _KafkaAdminClient._send_request_to_controller

    async def send_to_controller(self, request, *args, **kwargs):
        give_up_at = time.monotonic() + _GIVE_UP_AFTER_SECONDS
        delay = 0.2
        while True:
            try:
                return await send_once(self, request, *args, **kwargs)
            except _LOST:
                if time.monotonic() + delay > give_up_at:
                    raise
                self._controller_id = None  # asked of the cluster again before the next try
                await self._net.sleep(delay)
                delay = min(delay * 2, 5)

    _KafkaAdminClient._send_request_to_controller = send_to_controller


_ask_another_broker()
_ask_the_controller_again()
