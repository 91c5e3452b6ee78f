"""The order book: price-time priority, and a call auction at the volume-maximising price."""

from __future__ import annotations

from sim.market.book import Order, OrderBook, clearing_price

FAR = 10**9


def order(id, side, shares, price, time=0.0, trader=None):
    return Order(id, trader or f"t{id}", side, shares, price, time, FAR)


def allow(buy, sell, shares):
    return None


def test_incoming_buy_takes_the_cheapest_ask_first():
    book = OrderBook()
    book.add(order(1, "sell", 10, 101))
    book.add(order(2, "sell", 10, 100))
    fills, _ = book.match(order(3, "buy", 15, 105), allow, 0)
    assert [(f.sell.id, f.shares, f.price_cents) for f in fills] == [(2, 10, 100), (1, 5, 101)]


def test_equal_prices_trade_in_arrival_order():
    book = OrderBook()
    book.add(order(1, "buy", 5, 100, time=1))
    book.add(order(2, "buy", 5, 100, time=2))
    fills, _ = book.match(order(3, "sell", 5, 99), allow, 0)
    assert [f.buy.id for f in fills] == [1]


def test_the_rest_of_an_order_rests_in_the_book():
    book = OrderBook()
    book.add(order(1, "sell", 4, 100))
    incoming = order(2, "buy", 10, 100)
    fills, _ = book.match(incoming, allow, 0)
    assert fills[0].shares == 4 and incoming.remaining == 6
    assert incoming in book.orders()


def test_no_trade_when_prices_do_not_cross():
    book = OrderBook()
    book.add(order(1, "sell", 4, 101))
    fills, _ = book.match(order(2, "buy", 4, 100), allow, 0)
    assert fills == [] and len(book.orders()) == 2


def test_a_rejected_resting_order_leaves_and_matching_goes_on():
    book = OrderBook()
    book.add(order(1, "sell", 5, 100))  # the pre-trade check refuses this seller
    book.add(order(2, "sell", 5, 100))

    def check(buy, sell, shares):
        return "sell" if sell.id == 1 else None

    fills, rejections = book.match(order(3, "buy", 5, 100), check, 0)
    assert [r.order.id for r in rejections] == [1]
    assert [f.sell.id for f in fills] == [2]


def test_a_rejected_incoming_order_stops_and_does_not_rest():
    book = OrderBook()
    book.add(order(1, "sell", 5, 100))
    incoming = order(2, "buy", 5, 100)
    fills, rejections = book.match(incoming, lambda b, s, n: "buy", 0)
    assert fills == [] and rejections[0].order is incoming
    assert incoming not in book.orders()


def test_expired_orders_do_not_trade():
    book = OrderBook()
    book.add(Order(1, "t1", "sell", 5, 100, 0, 10))
    expired = book.expire(10)
    assert [o.id for o in expired] == [1]
    fills, _ = book.match(order(2, "buy", 5, 100), allow, 11)
    assert fills == []


def test_auction_price_maximises_executed_volume():
    bids = [order(1, "buy", 10, 103), order(2, "buy", 10, 101)]
    asks = [order(3, "sell", 5, 100), order(4, "sell", 10, 102)]
    # at 100..101: demand 20, supply 5 -> 5; at 102: demand 10, supply 15 -> 10; at 103: 10
    assert clearing_price(bids, asks, reference_cents=102) == 102


def test_auction_ties_go_to_the_smallest_imbalance_then_the_reference():
    bids = [order(1, "buy", 10, 105)]
    asks = [order(2, "sell", 10, 95)]
    # every price from 95 to 105 executes 10 with no imbalance: the reference decides
    assert clearing_price(bids, asks, reference_cents=99) == 95  # candidates are limit prices only
    assert clearing_price(bids, asks, reference_cents=104) == 105


def test_auction_trades_everyone_at_one_price():
    book = OrderBook()
    for o in (order(1, "buy", 10, 103), order(2, "buy", 10, 101), order(3, "sell", 5, 100), order(4, "sell", 10, 102)):
        book.add(o)
    fills, _ = book.auction(allow, 0, reference_cents=102)
    assert {f.price_cents for f in fills} == {102}
    assert sum(f.shares for f in fills) == 10


def test_auction_with_no_cross_trades_nothing():
    book = OrderBook()
    book.add(order(1, "buy", 10, 99))
    book.add(order(2, "sell", 10, 100))
    assert book.auction(allow, 0, reference_cents=100) == ([], [])


def test_orders_expire_at_their_expiry_time_and_not_before():
    book = OrderBook()
    book.add(Order(1, "t1", "sell", 5, 100, 0, 10))
    assert book.expire(9.999) == []
    assert [o.id for o in book.expire(10)] == [1]
    assert book.expire(11) == []  # reported once


def test_an_order_an_auction_filled_in_full_is_not_reported_as_expired():
    book = OrderBook()
    book.add(Order(1, "t1", "buy", 5, 100, 0, 10))
    book.add(Order(2, "t2", "sell", 5, 100, 0, 10))
    book.add(Order(3, "t3", "sell", 5, 101, 0, 10))  # does not cross: stays, then expires
    fills, _ = book.auction(allow, 0, reference_cents=100)
    assert [(f.buy.id, f.sell.id, f.shares) for f in fills] == [(1, 2, 5)]
    assert [(o.id, o.remaining) for o in book.expire(10)] == [(3, 5)]
