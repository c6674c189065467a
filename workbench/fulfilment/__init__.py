"""Fulfilment at the event peak: outbound per warehouse against handling capacity, backlog and
the 48-hour shipping share (:mod:`~workbench.fulfilment.peak`)."""
