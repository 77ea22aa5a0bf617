/// Runs many customers at once, each in its own child task, and gives them back with their ledgers.
struct CustomerPool: Sendable {
    /// The customers.
    var customers: [Customer]

    /// Runs every customer until `deadline`, pacing each with `pacing(index)`.
    mutating func run(
        until deadline: ContinuousClock.Instant, context: LoadContext, maximumOrders: Int = .max,
        pacing: @Sendable (Int) -> Pacing
    ) async {
        let finished = await withTaskGroup(of: (Int, Customer).self) { group in
            for (index, customer) in customers.enumerated() {
                let customerPacing = pacing(index)
                group.addTask {
                    var customer = customer
                    await customer.run(
                        until: deadline, pacing: customerPacing, context: context, maximumOrders: maximumOrders)
                    return (index, customer)
                }
            }
            var finished = customers
            for await (index, customer) in group { finished[index] = customer }
            return finished
        }
        customers = finished
    }

    /// Every customer's record.
    var ledgers: [CustomerLedger] { customers.map(\.ledger) }
}
