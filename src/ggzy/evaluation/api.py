from ninja import Router

router = Router(tags=["评标、定标、合同与履约"])
