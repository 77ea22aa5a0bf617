extension BotTurn {
    /// The maximum length kept of a typed address.
    static let maxAddressLength = 500

    mutating func choosingType() -> BotState {
        switch BotOption.select(BotOptions.orderType, input: input) {
        case 1:
            apply(.createDraft(.delivery))
            say(texts.locationQuestion)
            return .awaitingLocation
        case 2:
            apply(.createDraft(.pickup))
            say(texts.menu(context.availableMenu))
            return .ordering(type: .pickup, cart: Cart())
        default:
            say(texts.notUnderstood + "\n\n" + texts.orderTypeQuestion)
            return .choosingType
        }
    }

    mutating func awaitingLocation() -> BotState {
        guard let location = Self.location(from: input.content) else {
            say(texts.notUnderstood + "\n\n" + texts.locationQuestion)
            return .awaitingLocation
        }
        apply(.setLocation(location))
        say(texts.locationReceived + "\n\n" + texts.menu(context.availableMenu))
        return .ordering(type: .delivery, cart: Cart())
    }

    /// A pin with valid coordinates, or a typed address (two letters or more, at least 3 characters, at most 500).
    static func location(from content: InboundContent) -> Location? {
        if let latitude = content.latitude, let longitude = content.longitude {
            guard latitude.isFinite, longitude.isFinite, abs(latitude) <= 90, abs(longitude) <= 180 else { return nil }
            let label = content.address.map { String($0.prefix(maxAddressLength)) }
            return Location(latitude: latitude, longitude: longitude, address: label?.isEmpty == true ? nil : label)
        }
        let address = content.body.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard address.count >= 3, address.filter(\.isLetter).count >= 2 else { return nil }
        return Location(address: String(address.prefix(maxAddressLength)))
    }

    mutating func ordering(type: OrderType, cart: Cart) -> BotState {
        let menu = context.availableMenu
        var cart = cart
        switch ItemCommand.parse(input) {
        case .done:
            guard !cart.isEmpty else {
                say(texts.emptyCart + "\n\n" + texts.menu(menu))
                return .ordering(type: type, cart: cart)
            }
            let dropped = pruneUnavailable(&cart)
            guard !cart.isEmpty else {
                say(texts.noLongerAvailable(dropped) + "\n\n" + texts.menu(menu))
                return .ordering(type: type, cart: cart)
            }
            let prefix = dropped.isEmpty ? "" : texts.noLongerAvailable(dropped) + "\n\n"
            say(prefix + texts.summary(cart, type: type, names: lineName))
            return .reviewing(type: type, cart: cart)
        case .add(let index, let quantity):
            guard menu.indices.contains(index - 1) else {
                say(texts.noSuchItem(index, count: menu.count) + "\n\n" + texts.menuHint)
                return .ordering(type: type, cart: cart)
            }
            let item = menu[index - 1]
            do {
                try cart.add(
                    menuItemId: item.id, name: item.name(in: context.restaurant.language), unitPrice: item.price,
                    quantity: quantity)
            } catch {
                let reason = error == .quantityOutOfRange ? texts.quantityOutOfRange : texts.cartFull
                say(reason + "\n\n" + texts.cart(cart, names: lineName) + "\n\n" + texts.menuHint)
                return .ordering(type: type, cart: cart)
            }
            apply(.setLines(cart.lines))
            say(texts.added(quantity: quantity, name: item.name(in: texts.language)) + "\n\n" + cartAndHint(cart))
            return .ordering(type: type, cart: cart)
        case .remove(let index):
            guard menu.indices.contains(index - 1) else {
                say(texts.noSuchItem(index, count: menu.count) + "\n\n" + texts.menuHint)
                return .ordering(type: type, cart: cart)
            }
            let item = menu[index - 1]
            guard cart.remove(menuItemId: item.id) else {
                say(texts.notInCart(name: item.name(in: texts.language)) + "\n\n" + cartAndHint(cart))
                return .ordering(type: type, cart: cart)
            }
            apply(.setLines(cart.lines))
            say(texts.removed(name: item.name(in: texts.language)) + "\n\n" + cartAndHint(cart))
            return .ordering(type: type, cart: cart)
        case nil:
            let cartText = cart.isEmpty ? "" : "\n\n" + texts.cart(cart, names: lineName)
            say(texts.notUnderstood + "\n\n" + texts.menu(menu) + cartText)
            return .ordering(type: type, cart: cart)
        }
    }

    mutating func reviewing(type: OrderType, cart: Cart) -> BotState {
        var cart = cart
        switch BotOption.select(BotOptions.review, input: input) {
        case 1:
            let dropped = pruneUnavailable(&cart)
            guard dropped.isEmpty else {
                if cart.isEmpty {
                    say(texts.noLongerAvailable(dropped) + "\n\n" + texts.menu(context.availableMenu))
                    return .ordering(type: type, cart: cart)
                }
                say(texts.noLongerAvailable(dropped) + "\n\n" + texts.summary(cart, type: type, names: lineName))
                return .reviewing(type: type, cart: cart)
            }
            apply(.confirm)
            say(.orderConfirmed(total: cart.total, language: texts.language, format: texts.money))
            return .idle
        case 2:
            say(texts.menu(context.availableMenu) + "\n\n" + texts.cart(cart, names: lineName))
            return .ordering(type: type, cart: cart)
        case 3:
            return cancelOrder(hasDraft: true)
        default:
            say(texts.notUnderstood + "\n\n" + texts.summary(cart, type: type, names: lineName))
            return .reviewing(type: type, cart: cart)
        }
    }

    /// A line's name in the reply language: from the current menu when the item is still on it.
    func lineName(_ line: OrderLine) -> String {
        context.menu.first { $0.id == line.menuItemId }?.name(in: texts.language) ?? line.name
    }

    private func cartAndHint(_ cart: Cart) -> String {
        texts.cart(cart, names: lineName) + "\n\n" + texts.menuHint
    }

    /// Drops lines whose items are no longer available (emitting the new lines); returns their names.
    private mutating func pruneUnavailable(_ cart: inout Cart) -> [String] {
        let available = Set(context.availableMenu.map(\.id))
        let removed = cart.removeAll { !available.contains($0.menuItemId) }
        guard !removed.isEmpty else { return [] }
        apply(.setLines(cart.lines))
        return removed.map(lineName)
    }
}
