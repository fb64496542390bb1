"""computebubble's simulation core: the Model, the clock, markets, capital, accounting,
the contract network, bubble thresholds and data collection."""
