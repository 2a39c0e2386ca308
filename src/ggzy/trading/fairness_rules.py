"""The fair-competition rules (公平竞争审查) as data. Pure module.

Each rule: a stable code, a short Chinese title, regular expressions over the NORMALISED text
(``fairness.normalise``: NFKC, so full-width punctuation and digits become ASCII — "（" is "(",
"；" is ";", "：" is ":" — Latin letters lower-cased, spaces and tabs removed, line breaks kept),
optional ``unless`` expressions that clear a match when they occur in the same clause, the articles
(each tagged with the trades it governs), a Chinese explanation and a suggestion.

In the expressions ``~`` stands for "any character of the same clause" (anything but 。 ; ! ? and a
line break), so a pattern never reaches across sentences: ``~{0,12}`` is up to 12 such characters.

Which articles apply (``Basis.scope``):
- ``tendering``: 招标投标法 and 招标投标法实施条例 (engineering, and tenders under the tendering law);
- ``procurement``: 政府采购法 and 政府采购法实施条例;
- ``all``: the seed, 晋政办发〔2015〕80号 三(七), which binds every public resource trade in Shanxi.
A rule is reported for a category only if one of its articles applies to it (docs/timeline.md).
The decisions behind the borderline cases are documented in docs/timeline.md and in the comments.
"""

from __future__ import annotations

from dataclasses import dataclass

from ggzy.rules.schema import Citation

TENDERING = "tendering"
PROCUREMENT = "procurement"
ALL = "all"

# which scopes apply to a trading category (ggzy.core.choices.Category values)
CATEGORY_SCOPES = {
    "engineering": (TENDERING, ALL),
    "procurement": (PROCUREMENT, ALL),
    "land": (ALL,),
    "mining": (ALL,),
    "property": (ALL,),
    "other": (ALL,),
}

SEED = "山西省人民政府办公厅关于整合建立统一规范的公共资源交易平台实施方案的通知（晋政办发〔2015〕80号）"


@dataclass(frozen=True)
class Basis:
    scope: str  # TENDERING | PROCUREMENT | ALL
    citation: Citation


@dataclass(frozen=True)
class Rule:
    code: str
    title: str  # Chinese
    patterns: tuple[str, ...]
    basis: tuple[Basis, ...]
    explanation: str  # Chinese: why the clause is forbidden
    suggestion: str  # Chinese: how to fix it
    unless: tuple[str, ...] = ()


def _t(article: str, note: str = "") -> Basis:
    return Basis(TENDERING, Citation("招标投标法实施条例", article, True, note))


def _p(article: str, note: str = "") -> Basis:
    return Basis(PROCUREMENT, Citation("政府采购法实施条例", article, True, note))


SEED_BARRIERS = Basis(
    ALL,
    Citation(
        SEED,
        "三（七）",
        True,
        "不得通过设置注册登记、设立分支机构、资质验证、投标（竞买）许可、强制担保等限制性条件阻碍或者排斥其他地区市场主体",
    ),
)
TENDER_LAW_6 = Basis(TENDERING, Citation("招标投标法", "第六条"))
TENDER_LAW_20 = Basis(TENDERING, Citation("招标投标法", "第二十条"))
PROCUREMENT_LAW_5 = Basis(PROCUREMENT, Citation("政府采购法", "第五条"))

T_32_1 = _t("第三十二条第二款第（一）项")
T_32_2 = _t("第三十二条第二款第（二）项")
T_32_3 = _t("第三十二条第二款第（三）项")
T_32_4 = _t("第三十二条第二款第（四）项")
T_32_5 = _t("第三十二条第二款第（五）项")
T_32_6 = _t("第三十二条第二款第（六）项")
T_32_7 = _t("第三十二条第二款第（七）项")
P_20_2 = _p("第二十条第（二）项")
P_20_3 = _p("第二十条第（三）项")
P_20_4 = _p("第二十条第（四）项")
P_20_5 = _p("第二十条第（五）项")
P_20_6 = _p("第二十条第（六）项")
P_20_7 = _p("第二十条第（七）项")
P_20_8 = _p("第二十条第（八）项")

# Place words that make a clause local: "本市/本省/本县/本地/当地/省内/市内", a province, a city of
# Shanxi, a placeholder ("XX市", "××县"), or "项目所在地"; optionally followed by "内/行政区域内".
PROVINCES = (
    "北京|天津|河北|山西|内蒙古|辽宁|吉林|黑龙江|上海|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    "广东|广西|海南|重庆|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆"
)
SHANXI_CITIES = "太原|大同|阳泉|长治|晋城|朔州|晋中|运城|忻州|临汾|吕梁"
LOCAL = (
    rf"(?:本市|本省|本县|本区|本地区?|当地|省内|市内|县内|区内|辖区内|项目所在地|(?:{PROVINCES})(?:省|市|自治区)?"
    rf"|(?:{SHANXI_CITIES})市?|(?:xx|××|\*\*|某)(?:省|市|县|区))(?:行政区域内|行政区域|辖区内|范围内|境内|内)?"
)
# Who is required, and the modal verbs that make a clause a requirement.
MUST = r"(?:须|需|必须|应|应当|要求|务必|只能|仅限|限于?)"
BIDDER = r"(?:投标人|投标单位|供应商|竞买人|竞买申请人|申请人|意向受让方|企业|单位|公司)"

RULES: tuple[Rule, ...] = (
    Rule(
        "fairness.local_registration",
        "要求在本地注册、登记或备案",
        (
            # 须在本市/XX市注册（登记、备案、入库）的企业
            rf"{MUST}~{{0,6}}在{LOCAL}~{{0,12}}(?:注册|登记|备案|入库|办理~{{0,8}}(?:手续|登记|备案))",
            # 注册地（须）在本市 / 营业执照注册地为XX市 / 本地注册企业
            rf"注册地(?:址)?~{{0,4}}{MUST}~{{0,2}}(?:在|为|位于|属于){LOCAL}",
            rf"{BIDDER}~{{0,6}}注册地(?:址)?(?:在|为|位于|属于){LOCAL}",
            rf"{LOCAL}(?:注册|登记)(?:的|之)?~{{0,6}}(?:企业|公司|法人|单位|供应商)",
            # 进晋备案 / 入晋登记 / 外省企业进入本省须备案
            r"(?:进|入)(?:晋|本省|本市|省|市)(?:备案|登记|信息登记|报备)",
            rf"(?:外省|省外|外地|市外|外埠|外市)(?:进入)?~{{0,10}}{MUST}~{{0,10}}(?:备案|登记|注册|报备)",
        ),
        (SEED_BARRIERS, TENDER_LAW_6, T_32_7, PROCUREMENT_LAW_5, P_20_7),
        "以在本地注册、登记、备案或入库作为参加交易的条件，属于设置注册登记等限制性条件排斥其他地区市场主体",
        "删除本地注册、登记、备案或入库的要求；市场主体在交易平台一次注册、全省共享互认即可参加交易",
        # Decision: an account on the electronic trading platform (公共资源交易平台、电子交易系统、
        # 公共服务平台) is the means to download documents and submit electronic bids, is free,
        # open to entities of every region and registered once for the whole province (seed 三(六)):
        # not a barrier. A local agency's 备案/入库/验证 as a condition to bid is.
        unless=(
            r"(?:交易平台|交易系统|电子交易|服务平台|交易网|采购网|平台|系统)(?:上|中|内)?~{0,6}(?:注册|登记)",
            r"ca|数字证书|电子钥匙",
        ),
    ),
    Rule(
        "fairness.local_branch",
        "要求在本地设立分支机构",
        (
            rf"{MUST}?~{{0,8}}在{LOCAL}~{{0,6}}(?:设立|设有|设置|成立|拥有|有)~{{0,6}}(?:分公司|分支机构|办事处|常驻机构|服务机构|服务网点|售后(?:服务)?(?:网点|机构|中心)|营业场所|经营场所|固定办公场所)",
            rf"(?:在{LOCAL}|本地)(?:的)?(?:分公司|分支机构|办事处|常驻机构|服务网点|售后服务网点)",
        ),
        (SEED_BARRIERS, TENDER_LAW_6, T_32_7, P_20_7),
        "要求投标人（供应商）在本地设立分支机构、办事处或服务网点，属于以所在地限制、排斥其他地区市场主体",
        "删除设立本地机构的要求；确需本地服务的，可要求中标（成交）后在合同约定的时间内提供响应和服务",
        # Decision: a commitment required of the WINNER after award ("中标后在项目所在地设立服务网点")
        # is a performance condition open to every bidder, not an entry barrier: not flagged.
        unless=(r"(?:中标|成交|签订合同|合同签订|签约)(?:后|之后|以后)|履约(?:期间|阶段|过程中)|承诺",),
    ),
    Rule(
        "fairness.local_performance",
        "以特定行政区域或特定行业的业绩作为条件",
        (
            rf"{LOCAL}(?:行政区域内?|范围内|辖区内|内)?(?:的|完成的|承接的|实施的)?(?:同类|类似|相关)?(?:工程|项目|服务|供货)?业绩",
            rf"在{LOCAL}(?:行政区域内?|范围内|辖区内|内)?~{{0,8}}(?:完成|承接|承担|实施|承建|中标)(?:过|的)?~{{0,12}}业绩",
            r"(?:本地|当地|省内|市内)~{0,6}业绩",
            r"(?:本系统|本行业|系统内|行业内)~{0,6}业绩",
        ),
        (T_32_3, P_20_4, SEED_BARRIERS),
        "以特定行政区域或者特定行业的业绩作为资格条件、加分条件或者中标（成交）条件，排斥其他地区、其他行业的潜在投标人",
        "改为不限地域、不限行业的同类项目业绩，并按项目实际需要确定业绩的规模和数量",
    ),
    Rule(
        "fairness.regional_award",
        "以特定行政区域或特定行业的奖项作为条件",
        (
            r"(?:汾水杯|太行杯|黄河杯|长城杯|扬子杯|白玉兰|天府杯|泰山杯)",
            rf"(?:{LOCAL}|省级|市级|县级)~{{0,4}}(?:优质工程|优质结构|文明工地|安全文明(?:标准化)?工地|标准化工地|守合同重信用|名牌产品|著名商标|知名商标|示范工程)(?:奖)?",
            rf"(?:获得|获|荣获|取得)(?:过)?{LOCAL}~{{0,12}}(?:奖|荣誉|称号|表彰)",
        ),
        (T_32_3, P_20_4, SEED_BARRIERS),
        "以特定行政区域或者特定行业颁发的奖项、荣誉作为加分条件或者中标（成交）条件，排斥未在该地区、该行业获奖的潜在投标人",
        "删除地方或行业奖项的要求和加分；确需评价质量的，以与项目相关、不限地域的客观标准评审",
    ),
    Rule(
        "fairness.differential_treatment",
        "对本地和外地投标人区别对待",
        (
            rf"(?:本地|本市|本省|本县|当地|省内|市内|县内)(?:注册)?(?:的)?~{{0,4}}{BIDDER}~{{0,10}}(?:优先|加\d|加分|得\d|另加|予以照顾|照顾|优惠|倾斜)",
            rf"(?:外地|省外|外省|市外|外市|外埠|非本地|非本市|非本省)(?:注册)?(?:的)?{BIDDER}~{{0,16}}(?:扣\d|扣分|减\d|减分|不得|不予|不接受|须|必须|需|应当|另行|额外|加收)",
            r"(?:优先|首先)(?:考虑|选择|选用|采购|采用)(?:本地|本市|本省|当地|省内)",
        ),
        (T_32_4, P_20_5, TENDER_LAW_6, PROCUREMENT_LAW_5, SEED_BARRIERS),
        "对本地和外地投标人（供应商）适用不同的资格审查或者评审标准，属于差别待遇",
        "对所有投标人适用同一资格条件和评审标准，删除按所在地加分、扣分或附加要求的条款",
    ),
    Rule(
        "fairness.brand",
        "限定或者指定特定的品牌、商标、专利、原产地或者供应商",
        (
            r"(?:品牌|商标|厂家|厂商|生产商|制造商|生产厂家|生产企业|原产地)(?:须|必须|只能|仅限|限定|限|应|应当|要求)?"
            r"(?:为|是|采用|选用|使用)(?!国内|国产|中国|中华人民共和国|境内|合格|正规|正品|原厂|投标人|供应商)[^。;!?\n,、]{1,20}",
            r"(?:指定|限定)(?:的)?~{0,4}(?:品牌|商标|厂家|厂商|生产商|制造商|供应商|专利|原产地)",
            r"(?:须|必须|只能|仅限|限)(?:采用|选用|使用|采购)~{1,16}(?:品牌|牌(?:的|产品|设备|材料)|(?:公司|厂)(?:生产|制造|出品))",
            r"专利号(?:为|:)?[a-z]{0,3}\d[\d.x]*",
        ),
        (T_32_5, TENDER_LAW_20, P_20_6, P_20_3),
        "限定或者指定特定的专利、商标、品牌、原产地或者供应商，排斥能够提供同等产品的潜在投标人",
        "改用性能、功能和技术参数描述需求；确需引用品牌说明技术标准的，应注明“或相当于”并允许同等产品参加",
        # Decision: a brand named only to describe a standard and followed by "或相当于/或同等/或
        # 同档次/或性能相当" (七部委27号令第二十五条 allows this wording), or "品牌不限", is not a
        # restriction and is not flagged.
        unless=(
            r"或(?:相当|同等|同档次|等同|等效|性能相当|优于)|不限品牌|品牌不限|不(?:得)?(?:指定|限定)|仅供参考|参考品牌",
        ),
    ),
    Rule(
        "fairness.ownership",
        "限定所有制形式或者组织形式",
        (
            rf"{MUST}~{{0,3}}(?:为|是|属于)?(?:本地|本市|本省|地方|市属|省属)?(?:国有|国有控股|国有独资|全民所有制|集体所有制|央企|中央企业|国企)(?:企业|公司|单位|控股企业)?",
            r"(?:本地|本市|本省|市属|省属|地方)国有(?:企业|公司)~{0,6}(?:优先|加分|参加|参与|投标|报名)",
            r"(?:不接受|拒绝|不得|不允许|谢绝)~{0,4}(?:民营|私营|个体|外资|外商投资|合资|股份合作|合伙)(?:企业|公司|单位|工商户)?",
            r"(?:民营|私营|外资|外商投资)(?:企业|公司)~{0,6}(?:不得|不能|不允许|不接受|谢绝)",
            rf"{MUST}(?:为)?(?:股份有限公司|上市公司)",
        ),
        (T_32_6, P_20_7),
        "非法限定潜在投标人（供应商）的所有制形式或者组织形式",
        "删除所有制和组织形式的限制，对各类所有制、各种组织形式的市场主体一视同仁",
        # Decision: "具有独立法人资格" (the capacity to bear civil liability, 政府采购法第二十二条)
        # and "不接受联合体投标" (the tenderer may decide, 招标投标法第三十一条) are lawful: no
        # pattern reaches them.
    ),
    Rule(
        "fairness.scale",
        "以注册资本、营业收入等规模条件作为资格或评审条件",
        (
            r"(?:注册资本|注册资金|实缴资本|资产总额|总资产|净资产|营业收入|营业额|年产值|销售额|利润|纳税额|从业人员|职工人数|员工人数)"
            r"~{0,6}(?:不低于|不少于|不得低于|不得少于|达到|超过|≥|>=)~{0,12}(?:\d|[一二三四五六七八九十百千万亿])",
            r"(?:注册资本|注册资金|实缴资本|资产总额|总资产|净资产|营业收入|营业额|年产值|销售额|利润|纳税额|从业人员|职工人数|员工人数)"
            r"~{0,6}\d[\d.,]*~{0,4}(?:万元|亿元|元|人|名)(?:及|或)?以上",
        ),
        (P_20_2, P_20_8),
        "以注册资本、资产总额、营业收入、从业人员、利润、纳税额等规模条件作为资格要求或者评审因素，与采购项目的实际需要不相适应，限制了中小企业参加",
        "删除规模条件；确需考察履约能力的，改用与项目直接相关的技术、业绩或者服务能力条件",
        # Decision: only in procurement (政府采购法实施条例第二十条; 财政部《政府采购促进中小企业发展
        # 管理办法》第五条 states it explicitly but is not in the law library). Engineering tenders
        # are not flagged: qualification standards (资质标准) themselves set capital and net-asset
        # floors, and 招标投标法实施条例第三十二条 names no scale condition.
    ),
    Rule(
        "fairness.guarantee",
        "强制指定担保或者保证金形式",
        (
            rf"(?:由|向|在){LOCAL}~{{0,10}}(?:担保公司|担保机构|银行|保险公司|金融机构)~{{0,6}}(?:出具|开具|办理|提供)",
            r"(?:指定|限定)(?:的)?~{0,6}(?:担保公司|担保机构|银行|保险公司|金融机构)",
            rf"{MUST}~{{0,8}}(?:本地|当地|本市|本省|省内|市内)~{{0,6}}(?:担保公司|担保机构|银行|保险公司|金融机构)",
            r"(?:只|仅)(?:接受|收取|限)~{0,4}现金",
        ),
        (SEED_BARRIERS, T_32_7, P_20_8),
        "强制投标人（供应商）向指定或本地的担保机构、银行办理担保，或者只接受现金形式的保证金，属于强制担保等限制性条件",
        "允许以银行保函、保险保单、担保保函等非现金形式由任何合法机构出具，不指定出具机构",
    ),
    Rule(
        "fairness.permit",
        "设置投标（竞买）许可或者准入",
        (
            r"(?:投标|竞买|交易|进场|入场|入市|市场)(?:许可证?|准入证?|资格证|登记证)",
            r"(?:准入|许可)(?:手续|审批|审核)",
        ),
        (SEED_BARRIERS, TENDER_LAW_6, T_32_7, P_20_8),
        "要求办理投标（竞买）许可、进场准入等手续才能参加交易，属于设置许可等限制性条件排斥市场主体",
        "删除许可、准入手续的要求；按法律、行政法规规定的资格条件审查即可",
        # Decision: 安全生产许可证 and other licences a law requires for the work itself are lawful.
        unless=(r"安全生产许可|生产许可证|经营许可证|取水许可|排污许可|施工许可",),
    ),
    Rule(
        "fairness.verification",
        "要求到指定地点进行资质验证或者审核",
        (
            r"(?:到|赴|前往|至)~{0,20}(?:中心|处|办公室|科|局|地点|窗口|大厅)~{0,10}(?:验证|核验|审核|审验|查验|验审|备案)",
            r"资质(?:验证|审验|核验)",
            r"(?:验证|审核|核验)(?:合格|通过)(?:后)?(?:方可|才能|方能)~{0,6}(?:报名|投标|竞买|下载|获取|购买)",
        ),
        (SEED_BARRIERS, T_32_7, P_20_8),
        "要求投标人（供应商）到指定地点验证资质、审核资料后方可参加交易，属于设置资质验证等限制性条件",
        "删除验证、审核手续；资格条件在资格审查或评审环节依据投标文件审查，市场主体信息共享互认",
        # Decision: checking originals at the opening or in the evaluation ("开标时携带原件备查")
        # is part of the review every bidder goes through, not an entry barrier: not flagged.
        unless=(r"开标(?:时|现场)|评标(?:时|期间)|评审(?:时|期间)|备查",),
    ),
    Rule(
        "fairness.local_staff",
        "要求本地人员、本地社保或本地纳税",
        (
            rf"(?:在|于){LOCAL}~{{0,8}}(?:缴纳|缴存|参加|参保)~{{0,6}}(?:社保|社会保险|养老保险|税|税收)",
            rf"(?:项目经理|项目负责人|技术负责人|人员|员工|技术人员)~{{0,8}}{MUST}~{{0,4}}(?:为|是)?{LOCAL}(?:户籍|人员|常住|社保)",
            r"(?:本地|当地|本市|本省)(?:户籍|社保|纳税)",
        ),
        (SEED_BARRIERS, T_32_2, T_32_7, P_20_7),
        "要求人员在本地参保、纳税或具有本地户籍，属于以所在地限制、排斥其他地区市场主体",
        "删除本地社保、纳税、户籍要求，按项目需要规定人员的资格和数量",
    ),
    Rule(
        "fairness.membership",
        "要求协会会员或者地方名录等与合同履行无关的条件",
        (
            r"(?:协会|商会|学会)(?:的)?(?:会员|理事)(?:单位)?",
            rf"(?:纳入|列入|进入|入围|在){LOCAL}?~{{0,10}}(?:名录|名录库|供应商库|企业库|诚信库|信用库|备选库|白名单)",
        ),
        (T_32_2, P_20_2, SEED_BARRIERS),
        "以行业协会会员、地方名录库入库等作为资格条件，与项目的具体特点、实际需要和合同履行无关",
        "删除会员、入库要求，只保留与合同履行直接相关的资格条件",
        # Decision: "未被列入失信被执行人名单/重大税收违法案件当事人名单" is a lawful exclusion
        # (政府采购法第二十二条(五), credit rules): not flagged.
        unless=(r"失信|黑名单|违法|未被列入|不得列入|没有被列入|严重违法",),
    ),
)
