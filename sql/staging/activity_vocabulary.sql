-- The readable activity names and organisation lanes that source codes map to (see docs/events.md).
CREATE OR REPLACE VIEW activity_vocabulary AS
SELECT
    CAST(source AS VARCHAR)   AS source,   -- landing source the code comes from
    CAST(code AS VARCHAR)     AS code,     -- event_type, reason_code or status in that source
    CAST(activity AS VARCHAR) AS activity, -- name used in the customer process
    CAST(lane AS VARCHAR)     AS lane      -- part of the organisation the customer meets (NULL: decided per row)
FROM (VALUES
    ('web', 'login',            'Log in',               'Website'),
    ('web', 'logout',           'Log out',              'Website'),
    ('web', 'search',           'Search',               'Website'),
    ('web', 'page_view',        'View page',            'Website'),
    ('web', 'product_view',     'View product',         'Website'),
    ('web', 'help_view',        'View help page',       'Website'),
    ('web', 'contact_view',     'View contact page',    'Website'),
    ('web', 'order_tracking',   'Track order online',   'Website'),
    ('web', 'add_to_cart',      'Add to cart',          'Website'),
    ('web', 'remove_from_cart', 'Remove from cart',     'Website'),
    ('web', 'checkout_start',   'Start checkout',       'Website'),
    ('web', 'checkout_error',   'Checkout error',       'Website'),
    ('web', 'purchase',         'Complete purchase',    'Website'),
    ('calls', 'product_info',     'Call: product info',     'Contact centre'),
    ('calls', 'order_status',     'Call: order status',     'Contact centre'),
    ('calls', 'delivery_problem', 'Call: delivery problem', 'Contact centre'),
    ('calls', 'return_request',   'Call: return request',   'Contact centre'),
    ('calls', 'new_order',        'Call: new order',        'Contact centre'),
    ('calls', 'payment',          'Call: payment',          'Contact centre'),
    ('calls', 'account',          'Call: account',          'Contact centre'),
    ('calls', 'complaint',        'Call: complaint',        'Contact centre'),
    ('calls', 'other',            'Call: other',            'Contact centre'),
    ('orders', 'placed',           'Order placed',     NULL),
    ('orders', 'paid',             'Order paid',       'Payments'),
    ('orders', 'shipped',          'Order shipped',    'Fulfilment'),
    ('orders', 'delivered',        'Order delivered',  'Fulfilment'),
    ('orders', 'cancelled',        'Order cancelled',  'Sales'),
    ('orders', 'return_requested', 'Return requested', 'Returns'),
    ('orders', 'returned',         'Return received',  'Returns'),
    ('orders', 'refunded',         'Refund issued',    'Payments'),
    ('orders', 'exchanged',        'Item exchanged',   'Returns')
) AS v(source, code, activity, lane);
