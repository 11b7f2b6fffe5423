-- Reviewers read the guidance of the judged indicators in Chinese (评审要点).
-- The default rubrics of 0004 carried it in English only; this adds `guidanceZh`
-- beside each English text it translates. An indicator whose guidance an
-- administrator wrote differently, or that already has `guidanceZh`, is left as is.
-- Only descriptive text changes: keys, maxima, bands and scores stay the same.
UPDATE rubrics SET indicators = (
  SELECT jsonb_agg(
    CASE WHEN m.zh IS NOT NULL AND NOT (t.e ? 'guidanceZh') THEN t.e || jsonb_build_object('guidanceZh', m.zh) ELSE t.e END
    ORDER BY t.ord)
  FROM jsonb_array_elements(rubrics.indicators) WITH ORDINALITY AS t(e, ord)
  LEFT JOIN (VALUES
    ('How new the core technology is and how well the firm owns it',
     '核心技术的先进性、新颖程度,以及企业对核心技术的自主掌握程度'),
    ('Size of the addressable market, traction, a business model that can scale',
     '目标市场规模、市场开拓成效,以及商业模式能否规模化复制'),
    ('Main product in one of the eight focus domains of the 2028 plan (10), adjacent (5)',
     '主导产品属于2028年发展规划八个重点方向之一的得10分,属于相关方向的得5分'),
    ('Experience of the founders; backing by an incubator, accelerator or angel fund',
     '创业团队的从业经验;是否获得孵化器、加速器或天使投资基金的支持'),
    ('Whether the declared IP underpins the main product',
     '所申报的知识产权是否支撑企业主导产品'),
    ('In a focus domain or strategic emerging industry 10, otherwise 5',
     '属于重点方向或战略性新兴产业的得10分,其他得5分'),
    ('Own platform technology (cloud, data, industrial internet) others can build on',
     '是否拥有可供其他企业在其上开发的自有平台技术(云计算、数据、工业互联网等)'),
    ('Openness of the platform, upstream and downstream firms served in Dalian, credible milestones',
     '平台的开放程度、服务大连上下游企业的情况,以及发展里程碑是否可信')
  ) AS m(en, zh) ON m.en = t.e->>'guidance'
)
WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(rubrics.indicators) AS x(e) WHERE x.e ? 'guidance' AND NOT (x.e ? 'guidanceZh'));
