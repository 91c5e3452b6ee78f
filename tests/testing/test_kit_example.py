from sim.chain.abi import checksum


def test_a_custody_contract_pays_out_a_client(chain, make_security_token, make_investor, deployer):
    token = make_security_token()
    vault = make_investor("institutional", wallet=checksum("0x5fbdb2315678afecb367f032d93f642f64180aa3"))
    alice = make_investor()
    chain.deal(vault, 100, token=token, minter=deployer)  # minted: the token's rules run
    chain.deal(vault, 10**18)  # one ether
    with (
        chain.prank(vault) as who,  # a contract has no key: send as it
        chain.expect_emit("Transfer", emitter=token, args={"from": vault}, value=10),
    ):
        token.transfer(alice, 10, sender=who)
    assert (token.balanceOf(vault), token.balanceOf(alice), chain.balance(vault)) == (90, 10, 10**18)
