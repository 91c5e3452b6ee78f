// The dev node tokensim's rpc backend is tested against (`npx hardhat node`).
// Zero base fee: gas is measured, not charged, as on tokensim's embedded chains.
// Blocks may share a timestamp: every transaction at one simulated instant runs at that
// instant even though Hardhat mines a block per transaction.
// The chain starts in the past (TOKENSIM_INITIAL_DATE, default 2020-01-01) so runs that
// start in 2026 can move its clock forward to their start.
module.exports = {
  solidity: "0.8.28",
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: "cancun",
      initialBaseFeePerGas: 0,
      initialDate: process.env.TOKENSIM_INITIAL_DATE || "2020-01-01T00:00:00Z",
      allowBlocksWithSameTimestamp: true,
      blockGasLimit: 1_000_000_000,
      mining: { auto: true },
      loggingEnabled: false,
    },
  },
};
